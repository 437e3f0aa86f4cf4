// The loss terms each method reports, with their display labels. Plain data (no tfjs), so the
// console's thread and the event descriptions can name terms without loading a model.
import type { MethodName } from '../config/types.js';

export interface LossTerm {
  /** the key in step and epoch `losses` */
  key: string;
  label: string;
}

const CE_STUDENT: LossTerm = { key: 'ceStudent', label: 'CE student' };

/** Per method, its terms in the order the step reports them; every method trains the student with CE. */
export const METHOD_TERMS: { readonly [N in MethodName]: readonly LossTerm[] } = {
  ce: [CE_STUDENT],
  'feat-kd': [CE_STUDENT, { key: 'featKd', label: 'feature KD' }],
  contrastive: [CE_STUDENT, { key: 'contrastive', label: 'contrastive' }],
  csc: [CE_STUDENT, { key: 'csc', label: 'CSC' }],
  'mnf-csc': [CE_STUDENT, { key: 'csc', label: 'CSC' }, { key: 'ceMnf', label: 'CE MNF' }, { key: 'triplet', label: 'triplet' }, { key: 'gateL1', label: 'gate L1' }],
};

/** Every method's term labels by key (a key means the same in every method that reports it). */
export const TERM_LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(METHOD_TERMS).flatMap((terms) => terms.map((t) => [t.key, t.label])),
);
