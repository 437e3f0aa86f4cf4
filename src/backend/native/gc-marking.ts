import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * On backend 'native' every kernel runs an OpenMP team over all the cores it is given; V8's
 * concurrent-marking threads (≈10 full GCs per bench-s step, from the activations' ArrayBuffers)
 * then take a core mid-kernel and the whole team waits for it. With marking on the main thread
 * instead, a bench-s training step went from ~500 to ~410 ms (2 threads, 2 cores).
 * Call it first thing in a process, before the first major GC: flipping the flag while a
 * concurrent-marking job is scheduled is a V8 fatal error ("unreachable code" in
 * ConcurrentMarking::RunMajor, seen when it was flipped at backend activation). The CLI calls it
 * at start-up; MNF_CONCURRENT_MARKING=1 keeps V8's default.
 */
export function keepGcMarkingOnMainThread(): void {
  if (applied) return;
  applied = true;
  if (process.env.MNF_CONCURRENT_MARKING === '1') return;
  setFlagsFromString('--no-concurrent-marking');
}
