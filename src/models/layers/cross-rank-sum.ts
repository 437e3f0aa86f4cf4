// What a model needs from data-parallel training: the element-wise sum of an array over every rank,
// on the calling thread (inside a training step's graph). The trainer adapts its collectives to it;
// the models know nothing of MPI or the engine.
export interface CrossRankSum {
  /** ranks taking part; 1 is a single process */
  readonly size: number;
  /** the element-wise sum over ranks of `values` (every rank passes the same length), in `values` */
  sumNow(values: Float32Array): Float32Array;
}
