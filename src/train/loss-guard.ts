// The NaN guard: a step whose loss is not finite ends the run with one line that says which term,
// where, on which samples, and the likely cause found in the batch itself.
import type { ClipBatch } from '../data/types.js';

const IDS_SHOWN = 8;

function firstNonFinite(values: Float32Array, rowLength: number): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return Math.floor(i / rowLength);
  return -1;
}

function zeroRows(values: Float32Array, rowLength: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r * rowLength < values.length; r++) {
    let zero = true;
    for (let i = r * rowLength; i < (r + 1) * rowLength; i++) {
      if (values[i] !== 0) {
        zero = false;
        break;
      }
    }
    if (zero) rows.push(r);
  }
  return rows;
}

/** The term and value of the first loss that is not finite, or null. */
export function nonFiniteLoss(losses: Record<string, number>): { term: string; value: number } | null {
  for (const [term, value] of Object.entries(losses)) if (!Number.isFinite(value)) return { term, value };
  return null;
}

/** What most likely made the loss non-finite, judged from the batch's inputs. */
export function likelyCause(batch: ClipBatch, ids: readonly string[]): string {
  const teacherRow = firstNonFinite(batch.teacher, batch.teacherDim);
  if (teacherRow >= 0) return `the teacher feature of ${ids[teacherRow]} is not finite`;
  const clipRow = firstNonFinite(batch.clips, batch.clips.length / Math.max(1, batch.labels.length));
  if (clipRow >= 0) return `the clip of ${ids[clipRow]} is not finite`;
  const zeros = zeroRows(batch.teacher, batch.teacherDim);
  const zeroNote = zeros.length > 0 ? ` (${zeros.map((r) => ids[r]).join(', ')} ha${zeros.length === 1 ? 's an' : 've'} all-zero teacher feature${zeros.length === 1 ? '' : 's'}, which is legal)` : '';
  return `the inputs are finite${zeroNote}: the learning rate is probably too high for this batch; lower lrStudent/lrHead with --config`;
}

/** One line: term, value, step, epoch and batch, the batch's sample ids, and the likely cause. */
export function nonFiniteLossMessage(
  loss: { term: string; value: number },
  where: { step: number; epoch: number; batch: number; batchesPerEpoch: number },
  batch: ClipBatch,
  ids: readonly string[],
): string {
  const shown = ids.slice(0, IDS_SHOWN).join(', ') + (ids.length > IDS_SHOWN ? `, … (${ids.length} in all)` : '');
  return (
    `loss term '${loss.term}' became ${loss.value} at step ${where.step} (epoch ${where.epoch + 1}, batch ${where.batch} of ${where.batchesPerEpoch}; ` +
    `samples ${shown}): ${likelyCause(batch, ids)}`
  );
}
