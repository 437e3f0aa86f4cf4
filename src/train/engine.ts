// The training engine: the one owner of training state. A state machine
// (idle → running ⇄ paused → evaluating → done | failed) driven by commands that take effect at
// step boundaries (training-position.ts names them), emitting typed events (events.ts). It runs
// wherever it is constructed: in a worker thread for the console and headless runs (worker.ts),
// or in-process for tests. Its collaborators: the epoch totals (epoch-accumulator.ts), the
// checkpoint policy (checkpoint-policy.ts), the command inbox and the run folder. In a
// data-parallel job (distributed/job.ts) every rank runs an engine over its share of each batch:
// the ranks agree before each step and share their results after it (rank-steps.ts), and rank 0
// alone writes, evaluates and reports.
import type { CudaMathMode } from '../backend/cuda/math-mode.js';
import type { RunConfig } from '../config/types.js';
import type { ClipBatch } from '../data/types.js';
import type { DataParallel } from '../distributed/data-parallel.js';
import { singleProcessJob, type Job } from '../distributed/job.js';
import { teacherGroup, type TeacherGroup } from '../data/teacher-truth.js';
import { retrievalReport, testVideos, validateClipsWithGate, type EvaluatedGate, type Evaluator } from '../eval/procedures.js';
import { retrievalVideos, ThumbnailSource, withoutThumbnails } from '../eval/thumbnails.js';
import { readCheckpoint, writeCheckpoint, type Checkpoint, type CheckpointMeta } from './checkpoint.js';
import { CheckpointPolicy, type CheckpointKind } from './checkpoint-policy.js';
import { CommandInbox, type QueuedCommand } from './command-inbox.js';
import { classCountMismatch, type TrainingData } from './data-source.js';
import { count } from './describe-event.js';
import { addStep, emptyTotals, restoreTotals, summarise, type EpochTotals } from './epoch-accumulator.js';
import {
  now,
  type EngineCommand,
  type EngineEvent,
  type EngineOptions,
  type EngineState,
  type ExitInfo,
  type GateRecord,
  type RunHistory,
  type RunEvent,
  type RunResults,
  type StepMemory,
} from './events.js';
import { nonFiniteLoss, nonFiniteLossMessage } from './loss-guard.js';
import { continueConfig, resumePosition } from './resume.js';
import { RunFolder } from './run-folder.js';
import { agreeOnStep, exchangeReadiness, exchangeSteps, jobResult, type RankStep } from './rank-steps.js';
import { afterBatch, afterEpochEnd, boundaryAt, samePosition, START, type TrainingPosition } from './training-position.js';
import type { Trainer } from './types.js';

/** How the engine obtains its collaborators; the defaults (engine-setup.ts) use the real ones. */
export interface EngineSetup {
  /** `math`: how backend cuda's convolutions and matrix products compute (the run's precision and tf32) */
  initBackend(name: EngineOptions['backend'], math?: CudaMathMode): Promise<{ backend: string; device: string; reasons?: string[] }>;
  /** `shard`: in a data-parallel job, this rank's share of every training batch */
  openData(
    config: RunConfig,
    hooks: { onProgress(stage: string, done: number, total: number): void; onWarning(message: string): void },
    shard?: { rank: number; size: number },
  ): Promise<TrainingData>;
  createTrainer(config: RunConfig, dataParallel?: DataParallel): Trainer;
  /** the data-parallel job this process is a rank of (default: one process) */
  openJob?(config: RunConfig): Job;
  /** the backend's device memory after a step, when the backend has a device (else undefined) */
  stepMemory?(): StepMemory | undefined;
}

/** Settings that cannot work with this data (exit code 2); raised before the run folder is written. */
export class RunSetupError extends Error {
  override name = 'RunSetupError';
}

class StopRequested extends Error {}

/** A failure every rank of the job raises at the same point (so none needs to be aborted). */
class JobWideError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

export class Engine {
  private state: EngineState = 'idle';
  private readonly inbox = new CommandInbox();

  private trainer: Trainer | null = null;
  private data: TrainingData | null = null;
  /** opened once the run's settings are known to work; events before that wait in `unwritten` */
  private folder: RunFolder | null = null;
  private unwritten: EngineEvent[] = [];
  private backend = 'unknown';
  private device = 'unknown';

  private position: TrainingPosition = START;
  /** the position of the checkpoint-last on disk (the resumed one, or the last written) */
  private saved: TrainingPosition | null = null;
  private totals: EpochTotals = emptyTotals(null);
  /** each training and validation video's teacher group, when the dataset's teacher truth is known */
  private groups: { training: (TeacherGroup | null)[]; validation: (TeacherGroup | null)[] } | null = null;
  private policy = new CheckpointPolicy();
  private history: RunHistory = { trainAccuracy: null, validation: null, test: null, retrieval: null, gate: null };
  private readonly startTime = Date.now();
  private warnings = new Map<string, number>();
  private readonly thumbnails: ThumbnailSource | null;
  /** one process unless a launcher started several (then rank 0 alone evaluates and writes) */
  private job: Job = singleProcessJob();
  /** prepare()'s run event, sent once every rank is ready */
  private runEvent: RunEvent | null = null;
  /** the last training step is behind: no rank waits in a collective any more */
  private trainingEnded = false;

  constructor(
    private config: RunConfig,
    private readonly options: EngineOptions,
    private readonly setup: EngineSetup,
    private readonly emit: (event: EngineEvent) => void,
  ) {
    this.thumbnails = options.thumbnailSize ? new ThumbnailSource(options.thumbnailSize) : null;
  }

  /** Queues a command; it takes effect at the next step boundary (or at once while waiting). */
  command(command: EngineCommand): void {
    this.inbox.push(command);
  }

  private send(event: EngineEvent): void {
    const stored = withoutThumbnails(event);
    if (this.folder) this.folder.appendEvent(stored);
    else if (this.options.out) this.unwritten.push(stored);
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

  /** Lets queued messages arrive (worker messages are macrotasks). */
  private yieldToEvents(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * A step boundary: runs queued commands, waits while idle (not started) or paused, and throws
   * StopRequested on stop. Everything the engine holds is consistent here, so a checkpoint
   * written here resumes exactly.
   */
  private async boundary(): Promise<void> {
    await this.yieldToEvents();
    for (;;) {
      for (let command = this.inbox.take(); command; command = this.inbox.take()) await this.runCommand(command);
      // in a job of several ranks, every rank stops at the same step: agreed before the next one
      if (this.inbox.stopRequested && !this.distributed()) throw new StopRequested();
      if (this.inbox.stopRequested) return;
      if (!this.inbox.started || this.inbox.pauseRequested) {
        const since = this.inbox.count;
        this.setState(this.inbox.started ? 'paused' : 'idle');
        await this.inbox.waitAfter(since);
        continue;
      }
      this.setState('running');
      return;
    }
  }

  private async runCommand(command: QueuedCommand): Promise<void> {
    const back = this.state;
    switch (command.type) {
      case 'eval':
        this.setState('evaluating');
        if (command.level === 'video') await this.testVideos();
        else await this.validateClips();
        this.setState(back);
        break;
      case 'retrieve':
        this.setState('evaluating');
        await this.runRetrieval(command.k ?? this.config.retrievalK);
        this.setState(back);
        break;
      case 'save':
        this.saveCheckpoint('last', null);
        break;
    }
  }

  /** Runs the whole job; never throws: failures end in an error event and state 'failed'. */
  async run(): Promise<ExitInfo> {
    this.send({ type: 'state', state: 'idle', previous: 'idle', time: now() });
    try {
      if (this.options.autoStart) this.inbox.started = true;
      await this.prepareWithPeers();
      let reason: 'completed' | 'stopped' = 'completed';
      try {
        await this.boundary();
        await this.train();
        this.trainingEnded = true;
        if (this.options.finalEvaluation !== false && this.isRoot()) await this.finalEvaluation();
      } catch (err) {
        if (!(err instanceof StopRequested)) throw err;
        reason = 'stopped';
        // a run stopped where its checkpoint already stands (or before any step) keeps that checkpoint
        if (!samePosition(this.saved ?? START, this.position)) this.saveCheckpoint('last', null);
      }
      const results = this.results();
      this.folder?.writeResults({ ...results, reason, config: this.config });
      this.send({ type: 'done', reason, epoch: this.position.epoch, step: this.position.step, results, time: now() });
      this.setState('done');
      this.finishJob();
      return { state: 'done', results, error: null };
    } catch (err) {
      const message = (err as Error).message.split('\n')[0] || String(err);
      const usage = err instanceof RunSetupError || (err instanceof JobWideError && err.usage);
      this.send({ type: 'error', message, ...(usage ? { usage } : {}), time: now() });
      this.setState('failed');
      // the other ranks wait in a collective for this one: end them all, naming this rank
      if (this.distributed() && !(err instanceof JobWideError) && !this.trainingEnded) this.job.collectives.abort(message);
      this.finishJob();
      return { state: 'failed', results: null, error: message, ...(usage ? { usage } : {}) };
    } finally {
      await this.data?.close();
      this.trainer?.dispose();
    }
  }

  private distributed(): boolean {
    return this.job.collectives.size > 1;
  }

  /** rank 0 of a job (or the one process) evaluates, writes the run folder and reports */
  private isRoot(): boolean {
    return this.job.collectives.rank === 0;
  }

  /** MPI ends with the run (its collectives have all settled). */
  private finishJob(): void {
    if (!this.distributed()) return;
    this.job.dataParallel.close();
    try {
      this.job.collectives.finalize();
    } catch (err) {
      this.warn(`MPI did not finalise: ${(err as Error).message}`, 'engine');
    }
  }

  /**
   * prepare(), then in a job of several ranks every rank learns whether every other one is ready:
   * a rank that failed to set up fails every rank alike (no rank is left waiting for it), and then
   * every rank starts from rank 0's weights.
   */
  private async prepareWithPeers(): Promise<void> {
    this.job = this.setup.openJob?.(this.config) ?? singleProcessJob();
    let failure: unknown = null;
    try {
      await this.prepare();
    } catch (err) {
      failure = err;
    }
    if (this.distributed()) {
      const own = failure ? { message: (failure as Error).message.split('\n')[0] ?? String(failure), usage: failure instanceof RunSetupError } : null;
      const ready = await exchangeReadiness(this.job.collectives, own);
      if (own) throw new JobWideError(own.message, own.usage);
      const peer = ready.findIndex((r) => r !== null);
      if (peer >= 0) throw new JobWideError(`rank ${peer} of ${this.job.collectives.size} could not start: ${ready[peer]!.message}`, ready[peer]!.usage);
      const gradients = await this.job.dataParallel.chooseGradientCollectives();
      await this.trainer!.synchronise();
      const run = this.runEvent!;
      this.send({ ...run, world: { ...run.world, gradients }, time: now() });
      return;
    }
    if (failure) throw failure;
    this.send(this.runEvent!);
  }

  private async prepare(): Promise<void> {
    const resumed: Checkpoint | null = this.options.resume ? readCheckpoint(this.options.resume) : null;
    if (resumed) this.config = continueConfig(resumed.meta.config, { epochs: this.config.epochs, precision: this.config.precision, tf32: this.config.tf32 });
    const { rank, size } = this.job.collectives;
    this.checkWorld(resumed);
    const info = await this.setup.initBackend(this.options.backend ?? 'auto', this.math());
    this.backend = info.backend;
    this.device = info.device;
    const hooks = {
      onProgress: (stage: string, done: number, total: number) => this.send({ type: 'dataset-progress', stage, done, total, time: now() }),
      onWarning: (message: string) => this.warn(message, 'data'),
    };
    this.data = await this.setup.openData(this.config, hooks, size > 1 ? { rank, size } : undefined);
    const data = this.data;
    if (data.batchesPerEpoch < 1) {
      throw new RunSetupError(
        `--batch ${this.config.batch}: dataset ${this.config.dataset ?? '(default)'} has ${count(data.training.length, 'usable training video')}, ` +
          `fewer than one batch; lower --batch (at least 2: BatchNorm needs 2 clips a batch)`,
      );
    }
    const mismatch = classCountMismatch(data, this.config.model.numClasses, this.config.dataset);
    if (mismatch && resumed) throw new RunSetupError(mismatch);
    if (mismatch) {
      // the classifier follows the dataset
      this.warn(`model.numClasses set to ${data.classNames.length} from the dataset (the configuration said ${this.config.model.numClasses})`, 'engine');
      this.config = { ...this.config, model: { ...this.config.model, numClasses: data.classNames.length } };
    }
    this.trainer = this.setup.createTrainer(this.config, this.job.dataParallel);
    const truth = data.teacherTruth;
    if (truth) {
      const groupsOf = (videos: typeof data.training) => videos.map((v) => teacherGroup(truth.videos[v.id]));
      this.groups = { training: groupsOf(data.training), validation: groupsOf(data.validation) };
    }
    this.totals = this.freshTotals();
    const gate = this.trainer.gateStatistics;
    this.history.gate = gate ? { score: gate.score, epochs: [] } : null;
    if (resumed) this.restore(resumed, data.batchesPerEpoch);
    if (resumed) this.trainer.setState(resumed.state);
    this.openFolder();
    this.runEvent = {
      type: 'run',
      config: this.config,
      backend: this.backend,
      device: this.device,
      math: this.math(),
      backendReasons: info.reasons ?? [],
      out: this.folder?.path ?? null,
      resumedFrom: resumed ? { epoch: this.position.epoch, step: this.position.step, path: resumed.path } : null,
      classNames: data.classNames,
      videos: { training: data.training.length, validation: data.validation.length },
      batchesPerEpoch: data.batchesPerEpoch,
      terms: this.trainer.terms.map(({ key, label }) => ({ key, label })),
      world: { size, rank },
      time: now(),
    };
  }

  /** The global batch splits evenly into shares of at least 2 clips, and a resumed run keeps its world size. */
  private checkWorld(resumed: Checkpoint | null): void {
    const { size } = this.job.collectives;
    const saved = resumed?.meta.world?.size ?? 1;
    if (resumed && saved !== size) {
      throw new RunSetupError(
        `--resume ${resumed.path}: the checkpoint was written by a job of ${count(saved, 'process', 'processes')}, this one has ${size}; ` +
          `resume with the same number (${saved === 1 ? 'without mpirun' : `mpirun -np ${saved}`}): each rank's share and BatchNorm statistics depend on it`,
      );
    }
    if (size === 1) return;
    const batch = this.config.batch;
    if (batch % size !== 0) throw new RunSetupError(`--batch ${batch} is not a multiple of the ${size} ranks: each rank takes an equal share of the global batch`);
    if (batch / size < 2) throw new RunSetupError(`--batch ${batch} over ${size} ranks leaves ${batch / size} clip per rank; BatchNorm needs at least 2 (use --batch ${2 * size} or more)`);
  }

  /** Empty epoch totals, with the method's gate totals when it has a gate. */
  private freshTotals(): EpochTotals {
    const gate = this.trainer?.gateStatistics;
    return emptyTotals(gate ? gate.empty(this.config.model.numClasses, this.groups !== null) : null);
  }

  private restore(checkpoint: Checkpoint, batchesPerEpoch: number): void {
    const { meta } = checkpoint;
    this.position = resumePosition(meta, batchesPerEpoch, checkpoint.path);
    this.saved = { ...this.position };
    this.policy = new CheckpointPolicy(meta.best);
    if (meta.epochTotals && this.position.batch > 0) this.totals = restoreTotals(meta.epochTotals, this.totals);
    // a checkpoint written before the gate diagnostics has no gate history
    if (meta.history) this.history = { ...meta.history, gate: meta.history.gate ?? this.history.gate };
  }

  /** The run folder gets the events so far, then every event as it happens. */
  private openFolder(): void {
    if (!this.options.out || !this.isRoot()) return;
    this.folder = new RunFolder(this.options.out);
    for (const event of this.unwritten.splice(0)) this.folder.appendEvent(event);
    this.folder.writeConfig(this.config);
  }

  private async train(): Promise<void> {
    const batchesPerEpoch = this.data!.batchesPerEpoch;
    for (;;) {
      const boundary = boundaryAt(this.position, batchesPerEpoch, this.config.epochs);
      if (boundary === 'complete') return;
      this.trainer!.setEpoch(this.position.epoch);
      if (boundary === 'batch') {
        await this.trainRestOfEpoch();
      } else {
        await this.endEpoch();
        await this.boundary();
      }
    }
  }

  /** Trains the current epoch's remaining batches; a step boundary follows every batch. */
  private async trainRestOfEpoch(): Promise<void> {
    const batches = this.data!.trainEpoch(this.position.epoch, this.position.batch);
    const iterator = batches[Symbol.asyncIterator]();
    try {
      for (;;) {
        const t0 = performance.now();
        const next = await iterator.next();
        const t1 = performance.now();
        const consumed = batches.consumed();
        if (next.done) {
          this.position = afterBatch(this.position, consumed, false);
          return;
        }
        const batch = next.value;
        const trained = await this.batchIsTrained(batch, consumed);
        if (trained) await this.trainStep(batch, t0, t1, consumed);
        this.position = afterBatch(this.position, consumed, trained);
        await this.boundary();
      }
    } finally {
      await iterator.return?.();
    }
  }

  /**
   * Whether the batch is trained on: BatchNorm needs two clips, so a batch (in a job, a rank's
   * share) that bad samples left with fewer is skipped. In a job of several ranks every rank takes
   * the same decision, and a stop asked of any rank stops every rank here.
   */
  private async batchIsTrained(batch: ClipBatch, batchNumber: number): Promise<boolean> {
    const where = `batch ${batchNumber} of epoch ${this.position.epoch + 1}`;
    if (!this.distributed()) {
      if (batch.labels.length >= 2) return true;
      this.warn(`${where} has ${count(batch.labels.length, 'usable clip')}; skipped`, 'engine');
      return false;
    }
    const agreed = await agreeOnStep(this.job.collectives, this.inbox.stopRequested, batch.labels.length);
    if (agreed.stop) throw new StopRequested();
    const short = agreed.clips.findIndex((clips) => clips < 2);
    if (short < 0) return true;
    this.warn(`${where}: rank ${short}'s share has ${count(agreed.clips[short]!, 'usable clip')}; skipped on every rank`, 'engine');
    return false;
  }

  private async trainStep(batch: ClipBatch, t0: number, t1: number, batchNumber: number): Promise<void> {
    const own = await this.trainer!.step(batch);
    const t2 = performance.now();
    const step = this.position.step + 1;
    const ranks = await exchangeSteps(this.job.collectives, { result: own, labels: batch.labels, videoIndex: batch.videoIndex, ms: t2 - t0, waitMs: t1 - t0 });
    const { result, labels } = this.distributed() ? jobResult(ranks) : { result: own, labels: batch.labels };
    const bad = nonFiniteLoss(result.losses);
    if (bad) throw this.nonFiniteError(ranks, batch, { step, epoch: this.position.epoch, batch: batchNumber, batchesPerEpoch: this.data!.batchesPerEpoch });
    const ms = performance.now() - t0;
    const waitMs = t1 - t0;
    addStep(this.totals, result, labels, ms, waitMs);
    const gate = this.trainer!.gateStatistics;
    for (const rankStep of ranks) {
      if (!gate || !rankStep.result.gate || !this.totals.gate) continue;
      gate.add(this.totals.gate, rankStep.result.gate, rankStep.labels, this.groups && Array.from(rankStep.videoIndex, (i) => this.groups!.training[i] ?? null));
    }
    const clips = labels.length;
    const memory = this.setup.stepMemory?.();
    this.send({
      type: 'step',
      epoch: this.position.epoch,
      step,
      batch: batchNumber,
      batchesPerEpoch: this.data!.batchesPerEpoch,
      losses: { ...result.losses },
      accuracy: clips > 0 ? result.correct / clips : 0,
      lr: this.trainer!.learningRates(),
      clipsPerSecond: ms > 0 ? (clips * 1000) / ms : 0,
      dataWaitShare: ms > 0 ? waitMs / ms : 0,
      ms,
      ...(memory ? { memory } : {}),
      ...(this.distributed() ? { ranks: ranks.map((r, rank) => ({ rank, clipsPerSecond: r.ms > 0 ? (r.labels.length * 1000) / r.ms : 0, dataWaitShare: r.ms > 0 ? r.waitMs / r.ms : 0 })) } : {}),
      time: now(),
    });
  }

  /** The non-finite loss line: this rank's batch when the loss went bad here, else the rank whose share it was. */
  private nonFiniteError(ranks: RankStep[], batch: ClipBatch, where: Parameters<typeof nonFiniteLossMessage>[1]): Error {
    const idsOf = (videoIndex: Int32Array) => Array.from(videoIndex, (i) => this.data!.training[i]?.id ?? `#${i}`);
    if (!this.distributed()) return new Error(nonFiniteLossMessage(nonFiniteLoss(ranks[0]!.result.losses)!, where, batch, idsOf(batch.videoIndex)));
    const { rank, size } = this.job.collectives;
    const culprit = Math.max(0, ranks.findIndex((r) => nonFiniteLoss(r.result.losses) !== null));
    const bad = nonFiniteLoss(ranks[culprit]!.result.losses) ?? nonFiniteLoss(jobResult(ranks).result.losses)!;
    const line =
      culprit === rank
        ? nonFiniteLossMessage(bad, where, batch, idsOf(batch.videoIndex))
        : `loss term '${bad.term}' became ${bad.value} at step ${where.step} (epoch ${where.epoch + 1}, batch ${where.batch} of ${where.batchesPerEpoch}; samples ${idsOf(ranks[culprit]!.videoIndex).slice(0, 8).join(', ')})`;
    return new JobWideError(`rank ${culprit} of ${size}: ${line}`);
  }

  /** An epoch's end: its summary and gate events, the scheduled validation, then the checkpoints. */
  private async endEpoch(): Promise<void> {
    const completed = this.position.epoch + 1;
    const summary = summarise(this.totals);
    const lr = this.trainer!.learningRates();
    this.send({ type: 'epoch', epoch: completed, step: this.position.step, ...summary, lr, seconds: this.totals.ms / 1000, time: now() });
    const gateStats = this.trainer!.gateStatistics;
    if (gateStats && this.totals.gate) this.sendGate('training', { epoch: completed, step: this.position.step }, gateStats.summarise(this.totals.gate));
    const due = this.isRoot() && ((this.config.evalEvery > 0 && completed % this.config.evalEvery === 0) || completed === this.config.epochs);
    let top1: number | null = null;
    let newBest = false;
    if (due) {
      this.setState('evaluating');
      const { metrics: m, gate } = await validateClipsWithGate(this.evaluator());
      top1 = m.top1;
      newBest = this.policy.observe(completed, m);
      this.history.validation = { top1: m.top1, top5: m.top5, epoch: completed, step: this.position.step };
      this.send({ type: 'eval', epoch: completed, step: this.position.step, level: 'clip', mode: 'val', ...m, best: newBest, time: now() });
      this.sendValidationGate(gate, { epoch: completed, step: this.position.step });
      this.setState('running');
    }
    this.history.trainAccuracy = summary.trainAccuracy;
    this.position = afterEpochEnd(this.position);
    this.totals = this.freshTotals();
    for (const kind of this.policy.atEpochEnd(newBest)) this.saveCheckpoint(kind, top1);
  }

  /** The method's gate summary at `at` as a gate event, and into the run's gate history. */
  private sendGate(split: 'training' | 'validation', at: { epoch: number; step: number }, summary: ReturnType<NonNullable<Trainer['gateStatistics']>['summarise']>): void {
    if (!summary) return;
    const perClass = this.data!.classNames.map((name, label) => ({ label, name, mean: summary.perClass[label] ?? null }));
    this.send({ type: 'gate', ...at, split, ...summary, perClass, time: now() });
    const history = this.history.gate;
    if (!history) return;
    const record: GateRecord = { mean: summary.mean, belowHalf: summary.belowHalf, ...(summary.byTeacher ? { byTeacher: summary.byTeacher } : {}) };
    const last = history.epochs[history.epochs.length - 1];
    if (last && last.step === at.step && last.epoch === at.epoch && last[split] === null) last[split] = record;
    else history.epochs.push({ ...at, training: null, validation: null, [split]: record });
  }

  /** The gate over the validation clips an evaluation scored (methods with a gate). */
  private sendValidationGate(gate: EvaluatedGate | null, at: { epoch: number; step: number }): void {
    const stats = this.trainer!.gateStatistics;
    if (!stats || !gate) return;
    const totals = stats.empty(this.config.model.numClasses, this.groups !== null);
    stats.add(totals, gate.batch, gate.labels, this.groups && Array.from(gate.videoIndex, (i) => this.groups!.validation[i] ?? null));
    this.sendGate('validation', at, stats.summarise(totals));
  }

  private evaluator(): Evaluator {
    return {
      data: this.data!,
      numClasses: this.config.model.numClasses,
      evaluate: (batch) => this.trainer!.evaluate(batch),
      // a stop abandons an evaluation; the run's checkpoint stands at the boundary before it (in a
      // job of several ranks, only once training has ended: until then the ranks stop together)
      between: async () => {
        await this.yieldToEvents();
        if (this.inbox.stopRequested && (!this.distributed() || this.trainingEnded)) throw new StopRequested();
      },
    };
  }

  /** Clip-level validation on request (3 clips per validation video); it never sets a new best. */
  private async validateClips(): Promise<void> {
    const { metrics: m, gate } = await validateClipsWithGate(this.evaluator());
    const at = { epoch: this.position.epoch, step: this.position.step };
    this.history.validation = { top1: m.top1, top5: m.top5, ...at };
    this.send({ type: 'eval', ...at, level: 'clip', mode: 'val', ...m, best: false, time: now() });
    this.sendValidationGate(gate, at);
  }

  private async testVideos(): Promise<void> {
    const m = await testVideos(this.evaluator());
    const at = { epoch: this.position.epoch, step: this.position.step };
    this.history.test = { top1: m.top1, top5: m.top5, perClass: m.perClass, ...at };
    this.send({ type: 'eval', ...at, level: 'video', mode: 'test', ...m, best: false, time: now() });
  }

  private async runRetrieval(k: number): Promise<void> {
    const { results, ...metrics } = await retrievalReport(this.evaluator(), k);
    const at = { epoch: this.position.epoch, step: this.position.step };
    this.history.retrieval = { ...metrics, ...at };
    const data = this.data!;
    const thumbnails = this.thumbnails ? await this.thumbnails.of(retrievalVideos(results, data.validation, data.training)) : null;
    this.send({ type: 'retrieval', ...at, ...metrics, results, ...(thumbnails ? { thumbnails } : {}), time: now() });
  }

  private async finalEvaluation(): Promise<void> {
    this.setState('evaluating');
    await this.testVideos();
    await this.runRetrieval(this.config.retrievalK);
  }

  /** Writes checkpoint `kind` at the current position (a step boundary). */
  private saveCheckpoint(kind: CheckpointKind, top1: number | null): void {
    if (!this.folder || !this.trainer) return;
    const lr = this.trainer.learningRates();
    const p = this.position;
    const meta: CheckpointMeta = {
      config: this.config,
      method: this.config.method,
      epoch: p.epoch,
      batch: p.batch,
      step: p.step,
      schedule: { lrStudent: lr.student, lrHead: lr.head, milestones: this.config.milestones, gamma: this.config.lrGamma },
      best: this.policy.best,
      top1,
      epochTotals: p.batch > 0 ? this.totals : null,
      history: this.history,
      world: { size: this.job.collectives.size },
    };
    const path = this.folder.checkpointPath(kind);
    writeCheckpoint(path, meta, this.trainer.getState());
    if (kind === 'last') this.saved = { ...p };
    this.send({ type: 'checkpoint', kind, path, epoch: p.epoch, batch: p.batch, step: p.step, top1, time: now() });
  }

  private math(): CudaMathMode {
    return { precision: this.config.precision, tf32: this.config.tf32 };
  }

  private results(): RunResults {
    return {
      method: this.config.method,
      preset: this.config.preset,
      backend: this.backend,
      device: this.device,
      math: this.math(),
      epochs: this.position.epoch,
      steps: this.position.step,
      wallSeconds: (Date.now() - this.startTime) / 1000,
      ...this.history,
      best: this.policy.best,
    };
  }
}
