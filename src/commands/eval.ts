// mnf-tui eval --checkpoint DIR [--dataset DIR] [--backend B] [--precision fp32|bf16] [--tf32 on|off] [--json]: clip-level validation and
// video-level test (softmax averaged over non-overlapping windows) of a checkpoint.
import { testVideos, validateClips } from '../eval/procedures.js';
import { parseFlags } from './args.js';
import { openCheckpointSession, pct } from './checkpoint-session.js';
import { EVAL_FLAGS } from './help.js';

export async function evaluate(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, EVAL_FLAGS);
  const { dir, session } = await openCheckpointSession('eval', values);
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
    await session.close();
  }
}
