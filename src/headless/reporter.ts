// Headless reporter: every engine event as one JSON line on stdout, a short human summary of
// the important ones on stderr.
import type { EngineEvent } from '../train/events.js';

export interface Streams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** One human line for an event, or null for events that only go to the JSON stream. */
export function describeEvent(e: EngineEvent): string | null {
  switch (e.type) {
    case 'run':
      return (
        `training ${e.config.method} (preset ${e.config.preset}) on ${e.backend}, ${e.device}: ` +
        `${e.videos.training} training / ${e.videos.validation} validation videos, ${e.config.epochs} epochs` +
        (e.resumedFrom ? `, resumed from ${e.resumedFrom.path} at epoch ${e.resumedFrom.epoch}` : '') +
        (e.out ? `; run folder ${e.out}` : '') +
        (e.backendReasons.length ? `\nbackend: ${e.backendReasons.join('; ')}` : '')
      );
    case 'epoch': {
      const loss = Object.entries(e.losses)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(', ');
      return (
        `epoch ${e.epoch + 1}: train acc ${pct(e.trainAccuracy)}, ${loss}; ${e.clipsPerSecond.toFixed(1)} clips/s, ` +
        `data wait ${pct(e.dataWaitShare)}, ${e.seconds.toFixed(1)} s`
      );
    }
    case 'eval':
      return `${e.level}-level ${e.mode === 'val' ? 'validation' : 'test'} after epoch ${e.epoch}: top-1 ${pct(e.top1)}, top-5 ${pct(e.top5)} (${e.samples} ${e.level}s)${e.best ? ', new best' : ''}`;
    case 'retrieval':
      return `retrieval: ${e.seedMapAtK.label} ${pct(e.seedMapAtK.value)}; ${e.map.label} ${pct(e.map.value)}; hit@1/5/10 ${pct(e.hitAt[1])}/${pct(e.hitAt[5])}/${pct(e.hitAt[10])}`;
    case 'gate':
      return `MNF gate: mean ${e.mean.toFixed(3)}, ${pct(e.belowHalf)} below 0.5`;
    case 'checkpoint':
      return `checkpoint-${e.kind} saved (epoch ${e.epoch}, step ${e.step}): ${e.path}`;
    case 'warning':
      return `warning (${e.source}): ${e.message}${e.count > 1 ? ` [${e.count}×]` : ''}`;
    case 'error':
      return `error: ${e.message}`;
    case 'done':
      return `done (${e.reason}) after ${e.step} steps, ${e.results.wallSeconds.toFixed(1)} s`;
    case 'dataset-progress':
      return e.done === e.total ? `${e.stage}: done` : null;
    default:
      return null;
  }
}

export function createReporter(streams: Streams): (event: EngineEvent) => void {
  return (event) => {
    streams.stdout.write(JSON.stringify(event) + '\n');
    const line = describeEvent(event);
    if (line !== null) streams.stderr.write(line + '\n');
  };
}
