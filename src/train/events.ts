// The engine's language: every event it emits and every command it accepts. The console (tui/)
// and the headless JSON Lines reporter both consume exactly these objects; each one is plain JSON
// (no typed arrays), so it crosses the worker boundary and lands in events.jsonl unchanged (the
// retrieval event's console-only thumbnails excepted).
//
// `epoch` has one meaning in every event and in results.json: the number of epochs completed when
// the event was emitted. A step of the first epoch carries 0; the epoch and gate events that close
// the first epoch carry 1; an evaluation, retrieval or checkpoint carries the epochs completed
// before it (and `step`, the optimisation steps taken), so one made mid-way through the second
// epoch carries 1 and its step.
import type { CudaMathMode } from '../backend/cuda/math-mode.js';
import type { BackendName } from '../backend/names.js';
import type { RunConfig } from '../config/types.js';
import type { TeacherGateStats } from '../eval/gate-diagnostics.js';
import type { LossTerm } from '../methods/terms.js';
import type { LearningRates } from './types.js';

export type { GateGroup, TeacherGateStats } from '../eval/gate-diagnostics.js';
export type { LossTerm } from '../methods/terms.js';

export type EngineState = 'idle' | 'running' | 'paused' | 'evaluating' | 'done' | 'failed';

/** Seconds since the Unix epoch, with milliseconds. */
type Time = number;

export interface StateEvent {
  type: 'state';
  state: EngineState;
  previous: EngineState;
  time: Time;
}

/** Once, before the first step: what is being trained, where and on what. */
export interface RunEvent {
  type: 'run';
  config: RunConfig;
  /** tfjs backend in use ('native', 'cpu', 'tensorflow', 'cuda') */
  backend: string;
  /** 'CPU (N threads)', plus the CUDA device names when one is usable */
  device: string;
  /** how backend cuda's convolutions and matrix products compute (config.precision and config.tf32) */
  math: CudaMathMode;
  /** why this backend: one line per candidate tried (tensorflow skipped: …, no CUDA device: …) */
  backendReasons: string[];
  /** run folder, absent when the engine writes no files */
  out: string | null;
  /** epoch and step the run continues from (0, 0 for a fresh run) */
  resumedFrom: { epoch: number; step: number; path: string } | null;
  classNames: string[];
  videos: { training: number; validation: number };
  batchesPerEpoch: number;
  /** the method's loss terms: the keys of every step's and epoch's `losses`, in order, with their labels */
  terms: LossTerm[];
  /**
   * the data-parallel job: its number of processes and this one's rank (size 1 without a launcher),
   * and with several, what averages the gradients (NCCL in device memory, or MPI in host memory and why)
   */
  world: { size: number; rank: number; gradients?: string };
  time: Time;
}

/** One rank's share of a data-parallel step. */
export interface RankThroughput {
  rank: number;
  /** clips of its share per second of its wall time over the step */
  clipsPerSecond: number;
  /** share of its step's wall time spent waiting for its loader */
  dataWaitShare: number;
}

export interface StepEvent {
  type: 'step';
  /** epochs completed before this step (= the 0-based index of the epoch it belongs to) */
  epoch: number;
  /** global optimisation step, 1-based after this step */
  step: number;
  /** batch index inside the epoch, 1-based */
  batch: number;
  batchesPerEpoch: number;
  /** exactly the method's loss terms (the run event's `terms`) */
  losses: Record<string, number>;
  /** correct student predictions / clips in this batch */
  accuracy: number;
  /** the student's optimiser and the method head's */
  lr: LearningRates;
  /** clips per second of wall time over this step (data wait included) */
  clipsPerSecond: number;
  /** share of this step's wall time spent waiting for the loader, in [0, 1] */
  dataWaitShare: number;
  /** wall milliseconds of this step */
  ms: number;
  /** the device's memory after this step, on a device-resident backend (cuda) only */
  memory?: StepMemory;
  /** a data-parallel job's ranks, in rank order (the figures above are the whole job's) */
  ranks?: RankThroughput[];
  time: Time;
}

/** A device-resident backend's memory statistics after a step (bytes). */
export interface StepMemory {
  inUseBytes: number;
  cachedBytes: number;
  peakBytes: number;
  /** fresh device allocations since the backend started (reuses of cached blocks not counted) */
  allocations: number;
  /** copied to the device during this step */
  hostToDeviceBytes: number;
  /** copied from the device during this step */
  deviceToHostBytes: number;
  /** kernel calls of this step that ran on the host (copies both ways) */
  fallbacks: number;
}

export interface EpochEvent {
  type: 'epoch';
  /** epochs completed, this one included (1 for the first) */
  epoch: number;
  step: number;
  batches: number;
  /** training accuracy of the student over this epoch's clips */
  trainAccuracy: number;
  /** mean of each of the method's loss terms over the epoch */
  losses: Record<string, number>;
  lr: LearningRates;
  clipsPerSecond: number;
  dataWaitShare: number;
  seconds: number;
  time: Time;
}

export interface ClassAccuracy {
  label: number;
  name: string;
  correct: number;
  total: number;
  /** correct / total; null when the class has no sample */
  accuracy: number | null;
}

export interface EvalEvent {
  type: 'eval';
  epoch: number;
  step: number;
  /** 'clip': validation clips scored one by one; 'video': softmax averaged over each video's windows */
  level: 'clip' | 'video';
  mode: 'val' | 'test';
  top1: number;
  top5: number;
  perClass: ClassAccuracy[];
  /** clips or videos scored */
  samples: number;
  /** true when this evaluation set a new best validation top-1 */
  best: boolean;
  time: Time;
}

export interface RetrievalHit {
  id: string;
  label: number;
  className: string;
  /** cosine similarity to the query */
  score: number;
}

export interface RetrievalQuery {
  id: string;
  label: number;
  className: string;
  /** the 10 nearest training videos, best first */
  top: RetrievalHit[];
  /** this query's standard average precision (all relevant items), when the engine computed it */
  ap?: number;
}

export interface RetrievalMetrics {
  /** the seed's figure: AP over the top K normalised by the hits inside the top K; queries without a hit skipped */
  seedMapAtK: { k: number; value: number; queriesScored: number; label: string };
  /** standard mAP over the whole ranking, normalised by all relevant items */
  map: { value: number; label: string };
  hitAt: { 1: number; 5: number; 10: number };
  queries: number;
  gallery: number;
}

/** Small pictures of videos: one frame each, `size`×`size` RGB pixels (row-major, 3 bytes a pixel), base64. */
export interface Thumbnails {
  size: number;
  /** per video id; a video whose frame did not decode has none */
  rgb: Record<string, string>;
}

export interface RetrievalEvent extends RetrievalMetrics {
  type: 'retrieval';
  epoch: number;
  step: number;
  /** per-query top 10, in query order */
  results: RetrievalQuery[];
  /** the queries' and their matches' thumbnails, when the engine was asked for them (the console);
   *  events.jsonl stores the event without them */
  thumbnails?: Thumbnails;
  time: Time;
}

/**
 * MNF gate statistics: over the epoch's training batches (split 'training', at each epoch's end),
 * or over the clips of a clip-level validation (split 'validation', at each such evaluation).
 */
export interface GateEvent {
  type: 'gate';
  epoch: number;
  step: number;
  split: 'training' | 'validation';
  /** mean gate value */
  mean: number;
  /** share of gate values below 0.5 */
  belowHalf: number;
  /** histogram over [0, 1] in equal bins */
  histogram: number[];
  /** mean gate per class (null when the class had no sample) */
  perClass: { label: number; name: string; mean: number | null }[];
  /** clean against irrelevant teacher features, when the dataset has teacher_truth.json */
  byTeacher?: TeacherGateStats;
  time: Time;
}

export interface CheckpointEvent {
  type: 'checkpoint';
  /** 'last' every epoch and on save/stop; 'best' on a new best validation top-1 */
  kind: 'last' | 'best';
  path: string;
  /** epochs completed: training continues at this 0-based epoch ... */
  epoch: number;
  /** ... after this many of its batches (= batchesPerEpoch: that epoch's end is still to run) */
  batch: number;
  step: number;
  /** validation top-1 of this checkpoint when known */
  top1: number | null;
  time: Time;
}

export interface WarningEvent {
  type: 'warning';
  message: string;
  /** what raised it: 'data', 'engine', ... */
  source: string;
  /** how many times this warning has occurred (bad samples are counted) */
  count: number;
  time: Time;
}

/** When a figure was measured: epochs completed and optimisation steps taken before it. */
export interface MeasuredAt {
  epoch: number;
  step: number;
}

export interface RunResults {
  method: string;
  preset: string;
  backend: string;
  device: string;
  /** how backend cuda's convolutions and matrix products computed */
  math: CudaMathMode;
  epochs: number;
  steps: number;
  wallSeconds: number;
  /** training accuracy of the last completed epoch (epoch `epochs`) */
  trainAccuracy: number | null;
  best: { epoch: number; top1: number } | null;
  /** last clip-level validation */
  validation: ({ top1: number; top5: number } & MeasuredAt) | null;
  /** last video-level test with averaged softmax */
  test: ({ top1: number; top5: number; perClass: ClassAccuracy[] } & MeasuredAt) | null;
  /** last retrieval */
  retrieval: (RetrievalMetrics & MeasuredAt) | null;
  /** the gate diagnostics over the run; null for methods without a gate */
  gate: GateHistory | null;
}

/** A gate summary in results.json (the gate event's figures without histogram and classes). */
export interface GateRecord {
  mean: number;
  belowHalf: number;
  byTeacher?: TeacherGateStats;
}

export interface GateHistory {
  /** what the filter score behind `byTeacher.auc` is */
  score: string;
  /** one entry per epoch's end (training) and per clip-level validation, in order */
  epochs: ({ training: GateRecord | null; validation: GateRecord | null } & MeasuredAt)[];
}

/** The figures results.json reports, carried by checkpoints so a resumed run reports them too. */
export type RunHistory = Pick<RunResults, 'trainAccuracy' | 'validation' | 'test' | 'retrieval' | 'gate'>;

export interface DoneEvent {
  type: 'done';
  /** 'completed': every epoch trained; 'stopped': a stop command ended it early */
  reason: 'completed' | 'stopped';
  epoch: number;
  step: number;
  results: RunResults;
  time: Time;
}

export interface ErrorEvent {
  type: 'error';
  /** one line a user can act on */
  message: string;
  /** true when the run's settings cannot work (exit code 2); nothing was written then */
  usage?: boolean;
  time: Time;
}

/** Progress of preparing a dataset (the default dataset is generated on first use). */
export interface DatasetProgressEvent {
  type: 'dataset-progress';
  stage: string;
  done: number;
  total: number;
  time: Time;
}

export type EngineEvent =
  | StateEvent
  | RunEvent
  | StepEvent
  | EpochEvent
  | EvalEvent
  | RetrievalEvent
  | GateEvent
  | CheckpointEvent
  | WarningEvent
  | DoneEvent
  | ErrorEvent
  | DatasetProgressEvent;

export type EngineEventType = EngineEvent['type'];

/**
 * Commands. start: leave idle; pause: stop at the next step boundary; resume: continue;
 * eval: clip-level validation now (video-level test with level 'video'); retrieve: retrieval
 * now; save: write checkpoint-last now; stop: save, finish with 'done' (reason 'stopped'); a stop
 * that arrives during an evaluation or retrieval abandons it (the checkpoint is at the boundary
 * before it, so --resume repeats it).
 */
export type EngineCommand =
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'eval'; level?: 'clip' | 'video' }
  | { type: 'retrieve'; k?: number }
  | { type: 'save' }
  | { type: 'stop' };

export type EngineCommandType = EngineCommand['type'];

export interface ExitInfo {
  /** final state: 'done' on success, 'failed' otherwise */
  state: 'done' | 'failed';
  /** the done event's results when the run finished */
  results: RunResults | null;
  /** the error line when it failed */
  error: string | null;
  /** the failure is a usage error (settings that cannot work): exit code 2 */
  usage?: boolean;
}

export interface EngineOptions {
  /** run folder for config.json, events.jsonl, checkpoints and results.json; null = write nothing */
  out: string | null;
  /** checkpoint folder to continue from */
  resume?: string;
  backend?: BackendName;
  /** start training at once (headless) instead of waiting for a start command (console) */
  autoStart?: boolean;
  /** video-level test and retrieval after the last epoch (default true) */
  finalEvaluation?: boolean;
  /** retrieval events carry thumbnails of this many pixels a side (the console asks; absent: none) */
  thumbnailSize?: number;
}

/** What the console and the headless reporter hold: a running engine in a worker thread. */
export interface EngineHandle {
  /** subscribes to every event; returns the unsubscribe function */
  on(listener: (event: EngineEvent) => void): () => void;
  /** every event from now on, ending after done/error */
  events(): AsyncIterable<EngineEvent>;
  send(command: EngineCommand): void;
  /** settles when the engine has finished (never rejects) */
  done: Promise<ExitInfo>;
  /** ends the worker at once (no checkpoint); prefer send({type:'stop'}) */
  terminate(): Promise<void>;
}

export const now = (): Time => Date.now() / 1000;
