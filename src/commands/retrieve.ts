// mnf-tui retrieve --checkpoint DIR [--dataset DIR] [--k N] [--backend B] [--json]: validation
// videos query the training videos; the seed's mAP@K (K: --k, else the checkpoint's retrievalK),
// the standard mAP, hit@1/5/10, and each query's top 10.
import { retrievalReport } from '../eval/procedures.js';
import { intFlag, parseFlags } from './args.js';
import { openCheckpointSession, pct } from './checkpoint-session.js';
import { RETRIEVE_FLAGS } from './help.js';

export async function retrieveCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, RETRIEVE_FLAGS);
  const k = intFlag(values.k, '--k', 1);
  const { dir, session } = await openCheckpointSession('retrieve', values);
  try {
    const report = await retrievalReport(session, k ?? session.config.retrievalK);
    const { results, ...metrics } = report;
    if (values.json) {
      const doc = { checkpoint: dir, method: session.config.method, epoch: session.meta.epoch, backend: session.backend, device: session.device, ...metrics, results };
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    } else {
      process.stdout.write(
        `${dir}: ${metrics.queries} queries against ${metrics.gallery} training videos\n` +
          `  ${metrics.seedMapAtK.label}: ${pct(metrics.seedMapAtK.value)} (${metrics.seedMapAtK.queriesScored} queries scored)\n` +
          `  ${metrics.map.label}: ${pct(metrics.map.value)}\n` +
          `  hit@1 ${pct(metrics.hitAt[1])}, hit@5 ${pct(metrics.hitAt[5])}, hit@10 ${pct(metrics.hitAt[10])}\n`,
      );
    }
    return 0;
  } finally {
    await session.close();
  }
}
