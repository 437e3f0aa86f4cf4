// How a loss over the global batch of a data-parallel step sees the other ranks' rows. Losses know
// only this interface; src/distributed/ implements it over the job's collectives.
export interface RankGather {
  readonly rank: number;
  readonly size: number;
  /**
   * Every rank's `values` (the same length on every rank), concatenated in rank order. Blocks until
   * every rank called it: it runs inside a training step's graph.
   */
  gatherNow(values: Float32Array): Float32Array;
}
