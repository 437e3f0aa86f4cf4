// Collectives that count the wall time spent inside them, so a benchmark can read a step's
// communication (waiting for the slower rank included) and reset the count. Calls that overlap
// (the gradient buckets' allreduces are all issued before the first is awaited) count once: the
// time counted is the time during which at least one call was in flight.
import type { Collectives } from './collectives.js';

export interface TimedCollectives {
  /** the same collectives, timed */
  readonly collectives: Collectives;
  /** milliseconds inside a collective since the last takeMs() (or since the start), and restarts the count */
  takeMs(): number;
}

export function timedCollectives(inner: Collectives): TimedCollectives {
  let counted = 0;
  let inFlight = 0;
  let busySince = 0;

  const enter = () => {
    if (inFlight++ === 0) busySince = performance.now();
  };
  const leave = () => {
    if (--inFlight === 0) counted += performance.now() - busySince;
  };
  /** a call that blocks the calling thread until it returns */
  const held = <R>(call: () => R): R => {
    enter();
    try {
      return call();
    } finally {
      leave();
    }
  };
  /** a call whose work lasts until its promise settles */
  const settled = <R>(call: () => Promise<R>): Promise<R> => {
    enter();
    let pending: Promise<R>;
    try {
      pending = call();
    } catch (err) {
      leave();
      throw err;
    }
    return pending.finally(leave);
  };

  const collectives: Collectives = {
    rank: inner.rank,
    size: inner.size,
    allreduceSum: (values) => settled(() => inner.allreduceSum(values)),
    allgather: (values) => settled(() => inner.allgather(values)),
    allreduceSumNow: (values) => held(() => inner.allreduceSumNow(values)),
    allgatherNow: (values) => held(() => inner.allgatherNow(values)),
    broadcast: (values, root) => settled(() => inner.broadcast(values, root)),
    barrier: () => settled(() => inner.barrier()),
    abort: (message) => inner.abort(message),
    finalize: () => inner.finalize(),
  };

  return {
    collectives,
    takeMs() {
      const now = performance.now();
      const ms = counted + (inFlight > 0 ? now - busySince : 0);
      counted = 0;
      if (inFlight > 0) busySince = now;
      return ms;
    },
  };
}
