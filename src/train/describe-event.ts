// The words for engine events: the headless reporter's stderr lines, the console's log lines and
// the console's labels that state the same thing all come from here. It imports types and plain
// data only (methods/terms.ts), so the console's thread can use it without loading tfjs or the engine.
//
// In every event `epoch` is the number of epochs completed when the event was emitted, and `step`
// the number of optimisation steps done: a step event of the first epoch carries epoch 0, the
// epoch event that closes it carries 1.
import type {
  CheckpointEvent,
  DoneEvent,
  EngineEvent,
  EpochEvent,
  EvalEvent,
  GateEvent,
  RetrievalEvent,
  RunEvent,
  StepEvent,
  WarningEvent,
} from './events.js';
import { TERM_LABELS } from '../methods/terms.js';

/** "1 epoch", "2 epochs", "0 epochs"; `plural` for words that do not just take an s ("queries"). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The display name of a loss term (the run event's `terms` say it too); a term without one is shown by its key. */
export const lossLabel = (term: string): string => TERM_LABELS[term] ?? term;

/** When an event happened: "at step 7 (1 epoch done)". */
export function progressStamp(at: { epoch: number; step: number }): string {
  return `at step ${at.step} (${count(at.epoch, 'epoch')} done)`;
}

/** The 1-based number of the epoch a step belongs to (its event carries the epochs completed before it). */
export const epochInProgress = (step: Pick<StepEvent, 'epoch'>): number => step.epoch + 1;

export function describeRun(e: RunEvent): string {
  return (
    `training ${e.config.method} (preset ${e.config.preset}) on ${e.backend}, ${e.device}: ` +
    `${count(e.videos.training, 'training video')}, ${count(e.videos.validation, 'validation video')}, ` +
    `${count(e.config.epochs, 'epoch')}` +
    (e.resumedFrom ? `; resumed from ${e.resumedFrom.path} ${progressStamp(e.resumedFrom)}` : '') +
    (e.out ? `; run folder ${e.out}` : '') +
    (e.world && e.world.size > 1 ? `; ${e.world.size} ranks (gradients: ${e.world.gradients ?? 'MPI'})` : '') +
    (e.backendReasons.length ? `\nbackend: ${e.backendReasons.join('; ')}` : '')
  );
}

export function describeEpoch(e: EpochEvent): string {
  const losses = Object.entries(e.losses)
    .map(([term, value]) => `${lossLabel(term)} ${value.toFixed(4)}`)
    .join(', ');
  return (
    `epoch ${e.epoch} finished: train acc ${percent(e.trainAccuracy)}${losses ? `, ${losses}` : ''}; ` +
    `${e.clipsPerSecond.toFixed(1)} clips/s, data wait ${percent(e.dataWaitShare)}, ${e.seconds.toFixed(1)} s`
  );
}

/** "clip-level validation" or "video-level test". */
export const evaluationName = (e: Pick<EvalEvent, 'level' | 'mode'>): string =>
  `${e.level}-level ${e.mode === 'val' ? 'validation' : 'test'}`;

export function describeEval(e: EvalEvent): string {
  return (
    `${evaluationName(e)} ${progressStamp(e)}: top-1 ${percent(e.top1)}, top-5 ${percent(e.top5)} ` +
    `over ${count(e.samples, e.level)}${e.best ? ', new best' : ''}`
  );
}

/** The retrieval line in parts: what and when, then each figure (the console lays them out to wrap between figures). */
export function retrievalParts(e: RetrievalEvent): { heading: string; figures: string[] } {
  const seed = e.seedMapAtK;
  return {
    heading: `retrieval ${progressStamp(e)}`,
    figures: [
      `${seed.label} ${percent(seed.value)} (${count(seed.queriesScored, 'query', 'queries')} scored)`,
      `${e.map.label} ${percent(e.map.value)}`,
      `hit@1/5/10 ${percent(e.hitAt[1])}/${percent(e.hitAt[5])}/${percent(e.hitAt[10])}`,
      `${count(e.queries, 'query', 'queries')} against ${count(e.gallery, 'training video')}`,
    ],
  };
}

export function describeRetrieval(e: RetrievalEvent): string {
  const { heading, figures } = retrievalParts(e);
  return `${heading}: ${figures.join('; ')}`;
}

/** Gate values lie in [0, 1]: shown as numbers, the share below 0.5 as a percentage. */
export const gateValue = (x: number): string => x.toFixed(3);

export function gateSummary(e: Pick<GateEvent, 'mean' | 'belowHalf'>): string {
  return `mean ${gateValue(e.mean)}, ${percent(e.belowHalf)} below 0.5`;
}

/** "AUC 0.731" or "AUC n/a" (a group without samples). */
export const aucValue = (auc: number | null): string => (auc === null ? 'AUC n/a' : `AUC ${auc.toFixed(3)}`);

/** Clean against irrelevant teacher features: "clean 40 mean 0.512, irrelevant 12 mean 0.430, AUC 0.731". */
export function teacherGateSummary(t: NonNullable<GateEvent['byTeacher']>): string {
  const group = (name: string, g: typeof t.clean) => `${name} ${g.count}${g.mean === null ? '' : ` mean ${gateValue(g.mean)}`}`;
  return `${group('clean', t.clean)}, ${group('irrelevant', t.irrelevant)}, ${aucValue(t.auc)}`;
}

export function describeGate(e: GateEvent): string {
  // a gate event without a split (an older run's) is a training one
  const where = e.split === 'validation' ? ' on validation clips' : '';
  return `MNF gate${where} ${progressStamp(e)}: ${gateSummary(e)}${e.byTeacher ? `; ${teacherGateSummary(e.byTeacher)}` : ''}`;
}

export function describeCheckpoint(e: CheckpointEvent): string {
  return `checkpoint-${e.kind} saved ${progressStamp(e)}${e.top1 === null ? '' : `, top-1 ${percent(e.top1)}`}: ${e.path}`;
}

export function describeWarning(e: WarningEvent): string {
  return `warning (${e.source}): ${e.message}${e.count > 1 ? ` (${count(e.count, 'time')})` : ''}`;
}

export function describeDone(e: DoneEvent): string {
  return `done (${e.reason}): ${count(e.epoch, 'epoch')}, ${count(e.step, 'step')} in ${e.results.wallSeconds.toFixed(1)} s`;
}

/** One human line for an event, or null for events that only go to the JSON stream (state, step). */
export function describeEvent(e: EngineEvent): string | null {
  switch (e.type) {
    case 'run':
      return describeRun(e);
    case 'epoch':
      return describeEpoch(e);
    case 'eval':
      return describeEval(e);
    case 'retrieval':
      return describeRetrieval(e);
    case 'gate':
      return describeGate(e);
    case 'checkpoint':
      return describeCheckpoint(e);
    case 'warning':
      return describeWarning(e);
    case 'error':
      return `error: ${e.message}`;
    case 'done':
      return describeDone(e);
    case 'dataset-progress':
      return e.done === e.total ? `${e.stage}: done` : null;
    case 'state':
    case 'step':
      return null;
  }
}
