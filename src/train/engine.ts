// The training engine: the one owner of training state. A state machine
// (idle → running ⇄ paused → evaluating → done | failed) driven by commands that take effect at
// step boundaries, emitting typed events (events.ts). It runs wherever it is constructed: in a
// worker thread for the console and headless runs (worker.ts), or in-process for tests.
import type { RunConfig } from '../config/types.js';
import type { ClipBatch } from '../data/types.js';
import { retrievalReport, testVideos, validateClips, type Evaluator } from '../eval/procedures.js';
import { readCheckpoint, writeCheckpoint, type CheckpointMeta } from './checkpoint.js';
import type { TrainingData } from './data-source.js';
import {
  now,
  type EngineCommand,
  type EngineEvent,
  type EngineOptions,
  type EngineState,
  type ExitInfo,
  type RetrievalMetrics,
  type RunResults,
} from './events.js';
import { RunFolder } from './run-folder.js';
import type { Trainer } from './types.js';

/** How the engine obtains its collaborators; the defaults (engine-setup.ts) use the real ones. */
export interface EngineSetup {
  initBackend(name: EngineOptions['backend']): Promise<{ backend: string; device: string; reasons?: string[] }>;
  openData(config: RunConfig, hooks: { onProgress(stage: string, done: number, total: number): void; onWarning(message: string): void }): Promise<TrainingData>;
  createTrainer(config: RunConfig): Trainer;
}

const GATE_BINS = 10;

class StopRequested extends Error {}

interface EpochTotals {
  clips: number;
  correct: number;
  steps: number;
  losses: Record<string, number>;
  waitMs: number;
  ms: number;
  gateSum: number;
  gateBelowHalf: number;
  gateSteps: number;
  gateHistogram: number[];
  gatePerClassSum: number[];
  gatePerClassCount: number[];
}

export class Engine {
  private state: EngineState = 'idle';
  private readonly queue: EngineCommand[] = [];
  private wake: (() => void) | null = null;
  /** counts commands, so a wait does not miss one sent while the state event was being handled */
  private commandCount = 0;
  private pauseRequested = false;
  private stopRequested = false;
  private started = false;

  private trainer: Trainer | null = null;
  private data: TrainingData | null = null;
  private folder: RunFolder | null;
  private backend = 'unknown';
  private device = 'unknown';

  private epoch = 0;
  private step = 0;
  /** the step this session started from (0, or the checkpoint's) */
  private firstStep = 0;
  private loaderPosition: unknown = null;
  private best: { epoch: number; top1: number } | null = null;
  private lastTrainAccuracy: number | null = null;
  private lastValidation: { top1: number; top5: number } | null = null;
  private test: RunResults['test'] = null;
  private retrievalMetrics: RetrievalMetrics | null = null;
  private readonly startTime = Date.now();
  private warnings = new Map<string, number>();

  constructor(
    private config: RunConfig,
    private readonly options: EngineOptions,
    private readonly setup: EngineSetup,
    private readonly emit: (event: EngineEvent) => void,
  ) {
    this.folder = options.out ? new RunFolder(options.out) : null;
  }

  /** Queues a command; it takes effect at the next step boundary (or at once while waiting). */
  command(command: EngineCommand): void {
    switch (command.type) {
      case 'start':
        this.started = true;
        break;
      case 'pause':
        this.pauseRequested = true;
        break;
      case 'resume':
        this.pauseRequested = false;
        break;
      case 'stop':
        this.stopRequested = true;
        break;
      default:
        this.queue.push(command);
    }
    this.commandCount++;
    this.wake?.();
  }

  private send(event: EngineEvent): void {
    this.folder?.appendEvent(event);
    this.emit(event);
  }

  private setState(state: EngineState): void {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this.send({ type: 'state', state, previous, time: now() });
  }

  private warn(message: string, source: string): void {
    const count = (this.warnings.get(message) ?? 0) + 1;
    this.warnings.set(message, count);
    this.send({ type: 'warning', message, source, count, time: now() });
  }

  /** Resolves at the next command after the count `since` (at once if one came already). */
  private waitForCommand(since: number): Promise<void> {
    if (this.commandCount !== since) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
    });
  }

  /** Lets queued messages arrive (worker messages are macrotasks). */
  private yieldToEvents(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * A step boundary: runs queued commands, waits while idle (not started) or paused, and throws
   * StopRequested on stop.
   */
  private async boundary(): Promise<void> {
    await this.yieldToEvents();
    for (;;) {
      while (this.queue.length > 0) await this.runCommand(this.queue.shift()!);
      if (this.stopRequested) throw new StopRequested();
      if (!this.started || this.pauseRequested) {
        const since = this.commandCount;
        this.setState(this.started ? 'paused' : 'idle');
        await this.waitForCommand(since);
        continue;
      }
      this.setState('running');
      return;
    }
  }

  private async runCommand(command: EngineCommand): Promise<void> {
    const back = this.state;
    switch (command.type) {
      case 'eval':
        this.setState('evaluating');
        if (command.level === 'video') await this.testVideos();
        else await this.validateClips(false);
        this.setState(back);
        break;
      case 'retrieve':
        this.setState('evaluating');
        await this.runRetrieval(command.k ?? this.config.retrievalK);
        this.setState(back);
        break;
      case 'save':
        this.saveCheckpoint('last', null, this.epoch);
        break;
      default:
        break;
    }
  }

  /** Runs the whole job; never throws: failures end in an error event and state 'failed'. */
  async run(): Promise<ExitInfo> {
    this.send({ type: 'state', state: 'idle', previous: 'idle', time: now() });
    try {
      if (this.options.autoStart) this.started = true;
      await this.prepare();
      let reason: 'completed' | 'stopped' = 'completed';
      try {
        await this.boundary();
        await this.train();
        if (this.options.finalEvaluation !== false) await this.finalEvaluation();
      } catch (err) {
        if (!(err instanceof StopRequested)) throw err;
        reason = 'stopped';
        // a run stopped before any step of this session keeps the checkpoint it has
        if (this.step > this.firstStep) this.saveCheckpoint('last', null, this.epoch);
      }
      const results = this.results();
      this.folder?.writeResults({ ...results, reason, config: this.config });
      this.send({ type: 'done', reason, epoch: this.epoch, step: this.step, results, time: now() });
      this.setState('done');
      return { state: 'done', results, error: null };
    } catch (err) {
      const message = (err as Error).message.split('\n')[0] || String(err);
      this.send({ type: 'error', message, time: now() });
      this.setState('failed');
      return { state: 'failed', results: null, error: message };
    } finally {
      await this.data?.close();
      this.trainer?.dispose();
    }
  }

  private async prepare(): Promise<void> {
    let resumedFrom: { epoch: number; step: number; path: string } | null = null;
    let resumeState = null;
    if (this.options.resume) {
      const checkpoint = readCheckpoint(this.options.resume);
      // the checkpoint's configuration continues, except the number of epochs
      this.config = { ...checkpoint.meta.config, epochs: this.config.epochs };
      this.epoch = checkpoint.meta.epoch;
      this.step = checkpoint.meta.step;
      this.firstStep = this.step;
      this.loaderPosition = checkpoint.meta.loader ?? null;
      this.best = checkpoint.meta.best;
      resumeState = checkpoint.state;
      resumedFrom = { epoch: this.epoch, step: this.step, path: checkpoint.path };
    }
    const info = await this.setup.initBackend(this.options.backend ?? 'auto');
    this.backend = info.backend;
    this.device = info.device;
    const backendReasons = info.reasons ?? [];
    this.data = await this.setup.openData(this.config, {
      onProgress: (stage, done, total) => this.send({ type: 'dataset-progress', stage, done, total, time: now() }),
      onWarning: (message) => this.warn(message, 'data'),
    });
    const classes = this.data.classNames.length;
    if (classes !== this.config.model.numClasses) {
      if (resumeState) {
        throw new Error(`dataset ${this.config.dataset ?? '(default)'} has ${classes} classes; the checkpoint's model has ${this.config.model.numClasses}`);
      }
      // the classifier follows the dataset
      this.warn(`model.numClasses set to ${classes} from the dataset (the configuration said ${this.config.model.numClasses})`, 'engine');
      this.config = { ...this.config, model: { ...this.config.model, numClasses: classes } };
    }
    this.trainer = this.setup.createTrainer(this.config);
    if (resumeState) this.trainer.setState(resumeState);
    this.folder?.writeConfig(this.config);
    this.send({
      type: 'run',
      config: this.config,
      backend: this.backend,
      device: this.device,
      backendReasons,
      out: this.folder?.path ?? null,
      resumedFrom,
      classNames: this.data.classNames,
      videos: { training: this.data.training.length, validation: this.data.validation.length },
      batchesPerEpoch: this.data.batchesPerEpoch,
      time: now(),
    });
  }

  private async train(): Promise<void> {
    const trainer = this.trainer!;
    const data = this.data!;
    for (; this.epoch < this.config.epochs; this.epoch++) {
      trainer.setEpoch(this.epoch);
      const totals = this.emptyTotals();
      const epochStart = Date.now();
      const batches = data.trainEpoch(this.epoch, this.loaderPosition ?? undefined);
      this.loaderPosition = null;
      const iterator = batches[Symbol.asyncIterator]();
      let batchIndex = batches.firstBatch;
      for (;;) {
        await this.boundary();
        const t0 = performance.now();
        const next = await iterator.next();
        const t1 = performance.now();
        if (next.done) break;
        batchIndex++;
        if (next.value.labels.length < 2) {
          // BatchNorm needs two clips: a batch that bad samples left with one is not trained on
          this.warn(`batch ${batchIndex} of epoch ${this.epoch + 1} has ${next.value.labels.length} usable clip; skipped`, 'engine');
        } else {
          this.trainStep(next.value, totals, t0, t1, batchIndex);
        }
        this.loaderPosition = batches.position();
      }
      this.loaderPosition = null;
      this.endOfEpoch(totals, (Date.now() - epochStart) / 1000);
      const last = this.epoch + 1 === this.config.epochs;
      const due = (this.config.evalEvery > 0 && (this.epoch + 1) % this.config.evalEvery === 0) || last;
      let top1: number | null = null;
      let newBest = false;
      if (due) {
        this.setState('evaluating');
        const result = await this.validateClips(true);
        top1 = result.top1;
        newBest = result.best;
        this.setState('running');
      }
      // a checkpoint at the end of an epoch continues with the next one, from its start
      this.saveCheckpoint('last', top1, this.epoch + 1);
      if (newBest) this.saveCheckpoint('best', top1, this.epoch + 1);
    }
  }

  private emptyTotals(): EpochTotals {
    const classes = this.config.model.numClasses;
    return {
      clips: 0,
      correct: 0,
      steps: 0,
      losses: {},
      waitMs: 0,
      ms: 0,
      gateSum: 0,
      gateBelowHalf: 0,
      gateSteps: 0,
      gateHistogram: new Array<number>(GATE_BINS).fill(0),
      gatePerClassSum: new Array<number>(classes).fill(0),
      gatePerClassCount: new Array<number>(classes).fill(0),
    };
  }

  private trainStep(batch: ClipBatch, totals: EpochTotals, t0: number, t1: number, batchIndex: number): void {
    const result = this.trainer!.step(batch);
    const t2 = performance.now();
    this.step++;
    const clips = batch.labels.length;
    const ms = t2 - t0;
    const waitMs = t1 - t0;
    totals.clips += clips;
    totals.correct += result.correct;
    totals.steps++;
    totals.ms += ms;
    totals.waitMs += waitMs;
    for (const [term, value] of Object.entries(result.losses)) totals.losses[term] = (totals.losses[term] ?? 0) + value;
    if (result.gate) {
      totals.gateSum += result.gate.mean;
      totals.gateBelowHalf += result.gate.belowHalf;
      totals.gateSteps++;
      const h = result.gate.histogram;
      const sum = h.reduce((a, b) => a + b, 0) || 1;
      // rebin the step's histogram (any bin count) into GATE_BINS shares
      for (let i = 0; i < h.length; i++) totals.gateHistogram[Math.min(GATE_BINS - 1, Math.floor((i * GATE_BINS) / h.length))] += h[i] / sum;
    }
    if (result.gatePerSample) {
      for (let i = 0; i < clips; i++) {
        totals.gatePerClassSum[batch.labels[i]] += result.gatePerSample[i];
        totals.gatePerClassCount[batch.labels[i]]++;
      }
    }
    const losses = { ...result.losses };
    for (const [k, v] of Object.entries(losses)) if (!Number.isFinite(v)) throw new Error(`loss term '${k}' became ${v} at step ${this.step} (epoch ${this.epoch + 1}); lower the learning rate`);
    this.send({
      type: 'step',
      epoch: this.epoch,
      step: this.step,
      batch: batchIndex,
      batchesPerEpoch: this.data!.batchesPerEpoch,
      losses,
      accuracy: clips > 0 ? result.correct / clips : 0,
      lr: this.trainer!.learningRates(),
      clipsPerSecond: ms > 0 ? (clips * 1000) / ms : 0,
      dataWaitShare: ms > 0 ? waitMs / ms : 0,
      ms,
      time: now(),
    });
  }

  private endOfEpoch(totals: EpochTotals, seconds: number): void {
    const losses: Record<string, number> = {};
    for (const [k, v] of Object.entries(totals.losses)) losses[k] = v / Math.max(1, totals.steps);
    this.lastTrainAccuracy = totals.clips > 0 ? totals.correct / totals.clips : 0;
    this.send({
      type: 'epoch',
      epoch: this.epoch,
      step: this.step,
      batches: totals.steps,
      trainAccuracy: this.lastTrainAccuracy,
      losses,
      lr: this.trainer!.learningRates(),
      clipsPerSecond: totals.ms > 0 ? (totals.clips * 1000) / totals.ms : 0,
      dataWaitShare: totals.ms > 0 ? totals.waitMs / totals.ms : 0,
      seconds,
      time: now(),
    });
    if (totals.gateSteps > 0) {
      const histogramTotal = totals.gateHistogram.reduce((a, b) => a + b, 0) || 1;
      this.send({
        type: 'gate',
        epoch: this.epoch,
        step: this.step,
        mean: totals.gateSum / totals.gateSteps,
        belowHalf: totals.gateBelowHalf / totals.gateSteps,
        histogram: totals.gateHistogram.map((x) => x / histogramTotal),
        perClass: this.data!.classNames.map((name, label) => ({
          label,
          name,
          mean: totals.gatePerClassCount[label] > 0 ? totals.gatePerClassSum[label] / totals.gatePerClassCount[label] : null,
        })),
        time: now(),
      });
    }
  }

  private evaluator(): Evaluator {
    return {
      data: this.data!,
      numClasses: this.config.model.numClasses,
      evaluate: (batch) => this.trainer!.evaluate(batch),
      between: () => this.yieldToEvents(),
    };
  }

  /** Clip-level validation (3 clips per validation video); scheduled ones may set a new best. */
  private async validateClips(scheduled: boolean): Promise<{ top1: number; best: boolean }> {
    const m = await validateClips(this.evaluator());
    const best = scheduled && (this.best === null || m.top1 > this.best.top1);
    if (best) this.best = { epoch: this.epoch + 1, top1: m.top1 };
    this.lastValidation = { top1: m.top1, top5: m.top5 };
    const epoch = this.epoch + (scheduled ? 1 : 0);
    this.send({ type: 'eval', epoch, step: this.step, level: 'clip', mode: 'val', ...m, best, time: now() });
    return { top1: m.top1, best };
  }

  private async testVideos(): Promise<void> {
    const m = await testVideos(this.evaluator());
    this.test = { top1: m.top1, top5: m.top5, perClass: m.perClass };
    this.send({ type: 'eval', epoch: this.epoch, step: this.step, level: 'video', mode: 'test', ...m, best: false, time: now() });
  }

  private async runRetrieval(k: number): Promise<void> {
    const { results, ...metrics } = await retrievalReport(this.evaluator(), k);
    this.retrievalMetrics = metrics;
    this.send({ type: 'retrieval', epoch: this.epoch, step: this.step, ...metrics, results, time: now() });
  }

  private async finalEvaluation(): Promise<void> {
    this.setState('evaluating');
    await this.testVideos();
    await this.runRetrieval(this.config.retrievalK);
  }

  /** `epoch`: the 0-based epoch training continues at (with the loader position, if mid-epoch). */
  private saveCheckpoint(kind: 'last' | 'best', top1: number | null, epoch: number): void {
    if (!this.folder || !this.trainer) return;
    const lr = this.trainer.learningRates();
    const meta: CheckpointMeta = {
      config: this.config,
      method: this.config.method,
      epoch,
      step: this.step,
      schedule: { lrStudent: lr.student, lrMnf: lr.mnf, milestones: this.config.milestones, gamma: this.config.lrGamma },
      loader: epoch === this.epoch ? this.loaderPosition : null,
      best: this.best,
      top1,
    };
    const path = this.folder.checkpointPath(kind);
    writeCheckpoint(path, meta, this.trainer.getState());
    this.send({ type: 'checkpoint', kind, path, epoch, step: this.step, top1, time: now() });
  }

  private results(): RunResults {
    return {
      method: this.config.method,
      preset: this.config.preset,
      backend: this.backend,
      device: this.device,
      epochs: this.epoch,
      steps: this.step,
      wallSeconds: (Date.now() - this.startTime) / 1000,
      trainAccuracy: this.lastTrainAccuracy,
      best: this.best,
      validation: this.lastValidation,
      test: this.test,
      retrieval: this.retrievalMetrics,
    };
  }
}
