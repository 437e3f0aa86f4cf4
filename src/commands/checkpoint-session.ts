// The part eval and retrieve share (their flags are in help.ts): an evaluation session over the checkpoint's models and dataset.
import { resolve } from 'node:path';
import { DEFAULT_MATH_MODE } from '../backend/cuda/math-mode.js';
import { BACKEND_NAMES } from '../backend/names.js';
import { openEvalSession } from '../eval/session.js';
import { defaultSetup } from '../train/engine-setup.js';
import { choiceFlag, UsageError } from './args.js';
import { checkPrecisionBackend, mathFlags } from './math-flags.js';
import { resolveCheckpointDir } from './train.js';

export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export async function openCheckpointSession(
  command: string,
  values: { checkpoint?: string; dataset?: string; backend?: string; precision?: string; tf32?: string },
): Promise<{ dir: string; session: Awaited<ReturnType<typeof openEvalSession>> }> {
  if (!values.checkpoint) throw new UsageError(`${command}: --checkpoint DIR is required`);
  const backend = choiceFlag(values.backend, '--backend', BACKEND_NAMES);
  const math = { ...DEFAULT_MATH_MODE, ...mathFlags(values) };
  checkPrecisionBackend(math.precision, backend);
  const dir = resolveCheckpointDir(values.checkpoint, '--checkpoint');
  const session = await openEvalSession(
    dir,
    {
      dataset: values.dataset ? resolve(values.dataset) : undefined,
      backend,
      math,
      onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
    },
    defaultSetup(),
  );
  return { dir, session };
}
