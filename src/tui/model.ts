// What the console shows, accumulated from engine events only (no number is computed here that
// the engine did not send: histories are the events' own values, kept for the charts).
import type {
  CheckpointEvent,
  EngineEvent,
  EngineState,
  EpochEvent,
  EvalEvent,
  GateEvent,
  RetrievalEvent,
  RunEvent,
  StepEvent,
} from '../train/events.js';

export const LOSS_TERMS = ['ceStudent', 'csc', 'ceMnf', 'triplet', 'gateL1'] as const;
export const LOSS_LABELS: Record<string, string> = {
  ceStudent: 'CE student',
  csc: 'CSC',
  ceMnf: 'CE MNF',
  triplet: 'triplet',
  gateL1: 'gate L1',
};
/** points kept per chart */
export const HISTORY = 240;

export interface LogLine {
  id: number;
  kind: 'epoch' | 'eval' | 'warning' | 'checkpoint' | 'error' | 'info';
  text: string;
}

export interface ConsoleModel {
  state: EngineState;
  run: RunEvent | null;
  lastStep: StepEvent | null;
  /** per loss term, the step values in order */
  lossHistory: Record<string, number[]>;
  /** per-step training accuracy */
  trainAccuracyHistory: number[];
  epochs: EpochEvent[];
  evals: EvalEvent[];
  gate: GateEvent | null;
  /** mean gate per gate event, to show how the filter moves */
  gateMeanHistory: number[];
  retrieval: RetrievalEvent | null;
  lastCheckpoint: CheckpointEvent | null;
  warnings: number;
  datasetProgress: { stage: string; done: number; total: number } | null;
  log: LogLine[];
  error: string | null;
  finished: boolean;
}

export function initialModel(): ConsoleModel {
  return {
    state: 'idle',
    run: null,
    lastStep: null,
    lossHistory: {},
    trainAccuracyHistory: [],
    epochs: [],
    evals: [],
    gate: null,
    gateMeanHistory: [],
    retrieval: null,
    lastCheckpoint: null,
    warnings: 0,
    datasetProgress: null,
    log: [],
    error: null,
    finished: false,
  };
}

function pushCapped<T>(list: T[], value: T): T[] {
  const next = list.length >= HISTORY ? list.slice(list.length - HISTORY + 1) : list.slice();
  next.push(value);
  return next;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function addLog(model: ConsoleModel, kind: LogLine['kind'], text: string): LogLine[] {
  const id = model.log.length === 0 ? 0 : model.log[model.log.length - 1]!.id + 1;
  return [...model.log, { id, kind, text }];
}

/** Folds one engine event into the console model (pure; returns a new model). */
export function reduce(model: ConsoleModel, event: EngineEvent): ConsoleModel {
  switch (event.type) {
    case 'state':
      return { ...model, state: event.state };
    case 'run':
      return { ...model, run: event, datasetProgress: null };
    case 'dataset-progress':
      return { ...model, datasetProgress: { stage: event.stage, done: event.done, total: event.total } };
    case 'step': {
      const lossHistory: Record<string, number[]> = { ...model.lossHistory };
      for (const [term, value] of Object.entries(event.losses)) lossHistory[term] = pushCapped(lossHistory[term] ?? [], value);
      return { ...model, lastStep: event, lossHistory, trainAccuracyHistory: pushCapped(model.trainAccuracyHistory, event.accuracy) };
    }
    case 'epoch':
      return {
        ...model,
        epochs: [...model.epochs, event],
        log: addLog(model, 'epoch', `epoch ${event.epoch + 1}: train acc ${pct(event.trainAccuracy)}, ` +
          `CE ${event.losses.ceStudent?.toFixed(3) ?? '-'}, ${event.clipsPerSecond.toFixed(1)} clips/s, ${event.seconds.toFixed(1)} s`),
      };
    case 'eval':
      return {
        ...model,
        evals: [...model.evals, event],
        log: addLog(model, 'eval', `${event.level} ${event.mode} top-1 ${pct(event.top1)} top-5 ${pct(event.top5)}` +
          ` (${event.samples} ${event.level}s)${event.best ? ' — new best' : ''}`),
      };
    case 'gate':
      return { ...model, gate: event, gateMeanHistory: pushCapped(model.gateMeanHistory, event.mean) };
    case 'retrieval':
      return {
        ...model,
        retrieval: event,
        log: addLog(model, 'eval', `retrieval: ${event.seedMapAtK.label} ${pct(event.seedMapAtK.value)}, ` +
          `${event.map.label} ${pct(event.map.value)}, hit@5 ${pct(event.hitAt[5])}`),
      };
    case 'checkpoint':
      return { ...model, lastCheckpoint: event, log: addLog(model, 'checkpoint', `checkpoint (${event.kind}) → ${event.path}`) };
    case 'warning':
      return { ...model, warnings: model.warnings + 1, log: addLog(model, 'warning', `${event.source}: ${event.message}${event.count > 1 ? ` (×${event.count})` : ''}`) };
    case 'done':
      return { ...model, finished: true, log: addLog(model, 'info', `done (${event.reason}) after ${event.epoch} epochs, ${event.step} steps`) };
    case 'error':
      return { ...model, error: event.message, finished: true, log: addLog(model, 'error', event.message) };
  }
}
