// mnf-tui eval --checkpoint DIR [--dataset DIR] [--backend B] [--json]: clip-level validation and
// video-level test (softmax averaged over non-overlapping windows) of a checkpoint.
import { resolve } from 'node:path';
import { BACKEND_NAMES } from '../backend/select.js';
import { openEvalSession } from '../eval/session.js';
import { testVideos, validateClips } from '../eval/procedures.js';
import { defaultSetup } from '../train/engine-setup.js';
import { choiceFlag, parseFlags, UsageError } from './args.js';
import { resolveCheckpointDir } from './train.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export async function evaluate(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    checkpoint: { type: 'string' },
    dataset: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!values.checkpoint) throw new UsageError('eval: --checkpoint DIR is required');
  const dir = resolveCheckpointDir(values.checkpoint, '--checkpoint');
  const session = await openEvalSession(
    dir,
    {
      dataset: values.dataset ? resolve(values.dataset) : undefined,
      backend: choiceFlag(values.backend, '--backend', BACKEND_NAMES),
      onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
    },
    defaultSetup(),
  );
  try {
    const validation = await validateClips(session);
    const test = await testVideos(session);
    const report = {
      checkpoint: dir,
      method: session.config.method,
      preset: session.config.preset,
      dataset: session.config.dataset,
      epoch: session.meta.epoch,
      step: session.meta.step,
      backend: session.backend,
      device: session.device,
      validation: { level: 'clip', ...validation },
      test: { level: 'video', ...test },
    };
    if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else {
      process.stdout.write(
        `${dir} (${report.method}, epoch ${report.epoch})\n` +
          `  clip-level validation: top-1 ${pct(validation.top1)}, top-5 ${pct(validation.top5)} over ${validation.samples} clips\n` +
          `  video-level test:      top-1 ${pct(test.top1)}, top-5 ${pct(test.top5)} over ${test.samples} videos\n`,
      );
    }
    return 0;
  } finally {
    session.close();
  }
}
