import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * On backend 'native' every kernel runs an OpenMP team over all the cores it is given; V8's
 * concurrent-marking threads (≈10 full GCs per bench-s step, from the activations' ArrayBuffers)
 * then take a core mid-kernel and the whole team waits for it. With marking on the main thread
 * instead, a bench-s training step went from ~500 to ~410 ms (2 threads, 2 cores). Set once per
 * process when 'native' is activated; MNF_CONCURRENT_MARKING=1 keeps V8's default. Only
 * --no-concurrent-marking is safe at run time: parallel marking stays on, so V8 still joins a
 * marking job already in flight (turning both off aborts the process).
 */
export function keepGcMarkingOnMainThread(): void {
  if (applied) return;
  applied = true;
  if (process.env.MNF_CONCURRENT_MARKING === '1') return;
  setFlagsFromString('--no-concurrent-marking');
}
