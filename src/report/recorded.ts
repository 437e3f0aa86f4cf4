// What a run folder records, as the report reads it: the events and results.json of every
// version of the engine. Fields added later (a gate event's split and byTeacher, the run event's
// terms, lr.head) are optional, fields renamed since (lr.mnf) are still accepted, and a NaN
// written by JSON.stringify (null) is accepted where a number is expected.
import { z } from 'zod';

const num = z.number();
const maybeNum = z.number().nullable();

export const ClassAccuracySchema = z.object({
  label: num,
  name: z.string(),
  correct: num,
  total: num,
  accuracy: maybeNum,
});

const TermSchema = z.object({ key: z.string(), label: z.string() });

export const RunEventSchema = z.object({
  type: z.literal('run'),
  config: z.record(z.string(), z.unknown()),
  backend: z.string(),
  device: z.string(),
  classNames: z.array(z.string()),
  batchesPerEpoch: num,
  videos: z.object({ training: num, validation: num }).optional(),
  terms: z.array(TermSchema).optional(),
  resumedFrom: z.object({ epoch: num, step: num, path: z.string() }).nullable().optional(),
  time: num.optional(),
});

/** head: current name; mnf: before methods declared their terms (issue 14) */
const LearningRatesSchema = z.object({ student: num, head: num.optional(), mnf: num.optional() });

export const StepEventSchema = z.object({
  type: z.literal('step'),
  epoch: num,
  step: num,
  losses: z.record(z.string(), maybeNum),
  lr: LearningRatesSchema,
});

export const EpochEventSchema = z.object({
  type: z.literal('epoch'),
  epoch: num,
  step: num,
  trainAccuracy: num,
});

export const EvalEventSchema = z.object({
  type: z.literal('eval'),
  epoch: num,
  step: num,
  level: z.enum(['clip', 'video']),
  top1: num,
  top5: num,
  perClass: z.array(ClassAccuracySchema),
  samples: num.optional(),
});

/** score: the group's mean per-sample filter score (the one the AUC ranks), when recorded */
const GateGroupSchema = z.object({ count: num.optional(), mean: maybeNum, belowHalf: maybeNum, score: maybeNum.optional() });

export const GateEventSchema = z.object({
  type: z.literal('gate'),
  epoch: num,
  step: num,
  /** absent before validation gate events existed: training */
  split: z.enum(['training', 'validation']).optional(),
  mean: num,
  belowHalf: num,
  byTeacher: z.object({ clean: GateGroupSchema, irrelevant: GateGroupSchema, auc: maybeNum }).optional(),
});

const HitSchema = z.object({ id: z.string(), label: num, className: z.string(), score: num });

export const RetrievalEventSchema = z.object({
  type: z.literal('retrieval'),
  epoch: num,
  step: num,
  map: z.object({ value: num, label: z.string() }),
  seedMapAtK: z.object({ k: num, value: num, label: z.string() }),
  results: z.array(z.object({ id: z.string(), label: num, className: z.string(), top: z.array(HitSchema) })),
});

export const ResultsSchema = z.object({
  method: z.string().optional(),
  epochs: num.optional(),
  steps: num.optional(),
  wallSeconds: num.optional(),
  trainAccuracy: maybeNum.optional(),
  reason: z.string().optional(),
  validation: z.object({ top1: num, top5: num }).nullable().optional(),
  test: z.object({ top1: num, top5: num, perClass: z.array(ClassAccuracySchema), epoch: num.optional(), step: num.optional() }).nullable().optional(),
  retrieval: z
    .object({ map: z.object({ value: num, label: z.string() }), seedMapAtK: z.object({ k: num, value: num, label: z.string() }) })
    .nullable()
    .optional(),
  /** issue 14: how the gate's per-sample filter score behind the AUC is defined */
  gate: z.object({ score: z.string() }).nullable().optional(),
});

export type ClassAccuracy = z.infer<typeof ClassAccuracySchema>;
export type RunEvent = z.infer<typeof RunEventSchema>;
export type StepEvent = z.infer<typeof StepEventSchema>;
export type EpochEvent = z.infer<typeof EpochEventSchema>;
export type EvalEvent = z.infer<typeof EvalEventSchema>;
export type GateEvent = z.infer<typeof GateEventSchema>;
export type RetrievalEvent = z.infer<typeof RetrievalEventSchema>;
export type Results = z.infer<typeof ResultsSchema>;
export type Term = z.infer<typeof TermSchema>;
