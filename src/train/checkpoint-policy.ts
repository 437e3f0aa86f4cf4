// Which checkpoints a run keeps: `last` after every epoch and on save/stop, `best` when the
// monitored validation figure improves on the best so far (mode 'max': higher is better).
export interface BestSoFar {
  /** epochs completed when the best was measured */
  epoch: number;
  top1: number;
}

export type CheckpointKind = 'last' | 'best';

export interface CheckpointPolicyOptions {
  /** the validation figure compared (clip-level top-1) */
  monitor: 'top1';
  mode: 'max';
}

export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicyOptions = { monitor: 'top1', mode: 'max' };

export class CheckpointPolicy {
  constructor(
    private bestSoFar: BestSoFar | null = null,
    readonly options: CheckpointPolicyOptions = DEFAULT_CHECKPOINT_POLICY,
  ) {}

  get best(): BestSoFar | null {
    return this.bestSoFar;
  }

  /** Records a scheduled validation after `epoch` completed epochs; true when it is a new best. */
  observe(epoch: number, figures: { top1: number }): boolean {
    const value = figures[this.options.monitor];
    const better = this.bestSoFar === null || (this.options.mode === 'max' ? value > this.bestSoFar.top1 : value < this.bestSoFar.top1);
    if (better) this.bestSoFar = { epoch, top1: value };
    return better;
  }

  /** The checkpoints to write when an epoch ends (`newBest` from observe, false when nothing was evaluated). */
  atEpochEnd(newBest: boolean): CheckpointKind[] {
    return newBest ? ['last', 'best'] : ['last'];
  }
}
