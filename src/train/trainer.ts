// createTrainer: the method's models and optimisers behind the Trainer contract (train/types.ts).
import type { RunConfig } from '../config/types.js';
import type { ClipBatch } from '../data/types.js';
import type { DataParallel } from '../distributed/data-parallel.js';
import { getMethod } from '../methods/registry.js';
import { R2Plus1D } from '../models/student.js';
import { adaptTeacher, checkTeacherDim } from '../models/teacher.js';
import { tf } from '../tf.js';
import { Adam } from './adam.js';
import { multiStepLr } from './schedule.js';
import { stepGradients, trainStepPacked, unpackResults, type StepParts, type StepInputs } from './step.js';
import type { EvalOutput, StepResult, TensorState, Trainer } from './types.js';

const PREFIX = { student: 'student/', head: 'head/', studentOptim: 'optim.student/', headOptim: 'optim.head/' } as const;

function checkBatch(config: RunConfig, batch: ClipBatch): void {
  const [b, , , , c] = batch.shape;
  if (c !== 3) throw new Error(`batch: expected clips (B, T, H, W, 3), got shape [${batch.shape}]`);
  // a batch on the device is checked by its tensor's size (reading `clips` would copy them back)
  const values = batch.deviceClips ? batch.deviceClips.size : batch.clips.length;
  if (values !== batch.shape.reduce((x, y) => x * y, 1)) {
    throw new Error(`batch: clips hold ${values} values, shape [${batch.shape}] needs ${batch.shape.reduce((x, y) => x * y, 1)}`);
  }
  if (batch.teacherDim !== config.model.teacherDim || batch.teacher.length !== b * batch.teacherDim) {
    throw new Error(`batch: expected teacher features (${b}, ${config.model.teacherDim}), got ${batch.teacher.length} values of dim ${batch.teacherDim}`);
  }
  if (batch.labels.length !== b) throw new Error(`batch: expected ${b} labels, got ${batch.labels.length}`);
  for (const label of batch.labels) {
    if (label < 0 || label >= config.model.numClasses) throw new Error(`batch: label ${label} outside [0, ${config.model.numClasses})`);
  }
}

/** The method's student, head and both optimisers for a config (the trainer's parts; tests use them directly). */
export function buildStepParts(config: RunConfig, dataParallel?: DataParallel): StepParts {
  const method = getMethod(config.method);
  checkTeacherDim(config.model);
  const batchNormSync = dataParallel?.batchNormSync;
  const student = new R2Plus1D(config.model, config.seed, batchNormSync ? { batchNormSync } : {});
  const head = method.createHead(config, config.seed + 1, {
    ...(dataParallel?.across ? { across: dataParallel.across } : {}),
    ...(batchNormSync ? { batchNormSync } : {}),
  });
  return {
    method,
    student,
    head,
    studentOptimizer: new Adam([...student.store.params.entries()], { lr: config.lrStudent, weightDecay: config.weightDecay }),
    headOptimizer: new Adam([...head.store.params.entries()], { lr: config.lrHead, weightDecay: config.weightDecay }),
  };
}

/**
 * One data-parallel optimisation step: gradients of this rank's share (the global-batch losses
 * gather the other ranks' rows inside the graph), averaged over the ranks, then both Adam steps.
 * Returns the packed results (the caller disposes it).
 */
async function dataParallelStep(parts: StepParts, inputs: StepInputs, dataParallel: DataParallel): Promise<tf.Tensor1D> {
  const variables = [...parts.student.trainableVariables(), ...parts.head.store.trainable()];
  const { grads, packed } = tf.tidy(() => stepGradients(parts, inputs));
  const names = variables.map((v) => v.name).filter((name) => grads[name] !== undefined);
  let averaged: tf.Tensor[] = [];
  try {
    averaged = await dataParallel.averageGradients(names.map((name) => grads[name]!));
    const byName = Object.fromEntries(names.map((name, i) => [name, averaged[i]!]));
    tf.tidy(() => {
      parts.studentOptimizer.apply(byName);
      if (parts.head.store.params.size > 0) parts.headOptimizer.apply(byName);
    });
    return packed;
  } catch (err) {
    packed.dispose();
    throw err;
  } finally {
    tf.dispose([...Object.values(grads), ...averaged]);
  }
}

/** `dataParallel`: the job this process is a rank of (its batches are its share of the global batch). */
export function createTrainer(config: RunConfig, dataParallel?: DataParallel): Trainer {
  const parts = buildStepParts(config, dataParallel);
  const { method, student, head } = parts;

  // clips the loader decoded on the device are its tensor (the loader disposes it), not a copy
  const tensors = (batch: ClipBatch) => ({
    clips: batch.deviceClips ?? tf.tensor5d(batch.clips, batch.shape, 'float32'),
    teacher: tf.tensor2d(batch.teacher, [batch.shape[0], batch.teacherDim], 'float32'),
    labels: tf.tensor1d(batch.labels, 'int32'),
  });
  const release = (batch: ClipBatch, inputs: ReturnType<typeof tensors>) =>
    tf.dispose(batch.deviceClips ? [inputs.teacher, inputs.labels] : [inputs.clips, inputs.teacher, inputs.labels]);

  return {
    terms: method.terms,
    ...(method.gateStatistics ? { gateStatistics: method.gateStatistics } : {}),

    async step(batch: ClipBatch): Promise<StepResult> {
      checkBatch(config, batch);
      if (batch.shape[0] < 2) throw new Error(`batch: a training step needs at least 2 clips (BatchNorm batch statistics), got ${batch.shape[0]}`);
      const inputs = tensors(batch);
      try {
        const packed = dataParallel && dataParallel.size > 1 ? await dataParallelStep(parts, inputs, dataParallel) : trainStepPacked(parts, inputs);
        const values = packed.dataSync() as Float32Array;
        packed.dispose();
        return unpackResults(method, values, batch.shape[0]);
      } finally {
        release(batch, inputs);
      }
    },

    evaluate(batch: ClipBatch): EvalOutput {
      checkBatch(config, batch);
      const inputs = tensors(batch);
      try {
        const stats = method.gateStatistics;
        const [probs, features, gate] = tf.tidy(() => {
          const out = student.forward(inputs.clips, false);
          const teacher = adaptTeacher(inputs.teacher, config.model.featureDim);
          const values = stats ? head.gateValues?.(out.featureMap, teacher) : undefined;
          return [tf.softmax(out.logits, 1), out.pooled, values ? stats!.pack(values, teacher) : undefined];
        });
        const result: EvalOutput = { probs: probs.dataSync() as Float32Array, features: features.dataSync() as Float32Array };
        if (gate) result.gate = stats!.unpack(gate.dataSync() as Float32Array, batch.shape[0]);
        tf.dispose([probs, features, gate].filter((t) => t !== undefined));
        return result;
      } finally {
        release(batch, inputs);
      }
    },

    setEpoch(epoch: number): void {
      parts.studentOptimizer.lr = multiStepLr(config.lrStudent, config.milestones, config.lrGamma, epoch);
      parts.headOptimizer.lr = multiStepLr(config.lrHead, config.milestones, config.lrGamma, epoch);
    },

    learningRates() {
      return { student: parts.studentOptimizer.lr, head: parts.headOptimizer.lr };
    },

    getState(): TensorState {
      return {
        ...student.store.getState(PREFIX.student),
        ...head.store.getState(PREFIX.head),
        ...parts.studentOptimizer.getState(PREFIX.studentOptim),
        ...parts.headOptimizer.getState(PREFIX.headOptim),
      };
    },

    async synchronise(): Promise<void> {
      if (!dataParallel || dataParallel.size === 1) return;
      await dataParallel.broadcastVariables([...student.store.params.values(), ...student.store.buffers.values(), ...head.store.params.values(), ...head.store.buffers.values()]);
    },

    setState(state: TensorState): void {
      student.store.setState(state, PREFIX.student);
      head.store.setState(state, PREFIX.head);
      parts.studentOptimizer.setState(state, PREFIX.studentOptim);
      parts.headOptimizer.setState(state, PREFIX.headOptim);
    },

    dispose(): void {
      parts.studentOptimizer.dispose();
      parts.headOptimizer.dispose();
      student.dispose();
      head.store.dispose();
    },
  };
}
