// What the console shows, accumulated from engine events only (no number is computed here that
// the engine did not send: histories are the events' own values, kept for the charts).
import { describeEvent, lossLabel } from '../train/describe-event.js';
import type {
  CheckpointEvent,
  EngineEvent,
  EngineState,
  EpochEvent,
  EvalEvent,
  GateEvent,
  LossTerm,
  RetrievalEvent,
  RunEvent,
  StepEvent,
} from '../train/events.js';

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
  /** the last training gate event (an epoch's end) */
  gate: GateEvent | null;
  /** the last validation gate event (a clip-level validation) */
  validationGate: GateEvent | null;
  /** mean gate per training gate event, to show how the filter moves */
  gateMeanHistory: number[];
  /** clean-vs-irrelevant AUC per gate event that carries one, by split */
  gateAuc: { training: number[]; validation: number[] };
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
    validationGate: null,
    gateMeanHistory: [],
    gateAuc: { training: [], validation: [] },
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

/** The event's log line, in the words the headless reporter prints for it. */
function addLog(model: ConsoleModel, kind: LogLine['kind'], event: EngineEvent): LogLine[] {
  const text = describeEvent(event);
  if (text === null) return model.log;
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
      return { ...model, epochs: [...model.epochs, event], log: addLog(model, 'epoch', event) };
    case 'eval':
      return { ...model, evals: [...model.evals, event], log: addLog(model, 'eval', event) };
    case 'gate': {
      const auc = event.byTeacher?.auc;
      const withAuc = (list: number[]) => (auc === null || auc === undefined ? list : pushCapped(list, auc));
      // runs from before gate events had a split only reported training
      if (event.split === 'validation') {
        return { ...model, validationGate: event, gateAuc: { ...model.gateAuc, validation: withAuc(model.gateAuc.validation) } };
      }
      return {
        ...model,
        gate: event,
        gateMeanHistory: pushCapped(model.gateMeanHistory, event.mean),
        gateAuc: { ...model.gateAuc, training: withAuc(model.gateAuc.training) },
      };
    }
    case 'retrieval':
      return { ...model, retrieval: event, log: addLog(model, 'eval', event) };
    case 'checkpoint':
      return { ...model, lastCheckpoint: event, log: addLog(model, 'checkpoint', event) };
    case 'warning':
      return { ...model, warnings: model.warnings + 1, log: addLog(model, 'warning', event) };
    case 'done':
      return { ...model, finished: true, log: addLog(model, 'info', event) };
    case 'error':
      return { ...model, error: event.message, finished: true, log: addLog(model, 'error', event) };
  }
}

/** The loss terms to chart: the method's declared terms (the run event's), else the keys the steps carry. */
export function shownTerms(model: Pick<ConsoleModel, 'run' | 'lossHistory'>): LossTerm[] {
  const declared = model.run?.terms;
  if (declared && declared.length > 0) return declared;
  return Object.keys(model.lossHistory).map((key) => ({ key, label: lossLabel(key) }));
}

/** The student's and the head's learning rates; runs from before the rename called the head's `mnf`. */
export function learningRates(lr: { student: number; head?: number; mnf?: number }): { student: number; head: number | null } {
  return { student: lr.student, head: lr.head ?? lr.mnf ?? null };
}
