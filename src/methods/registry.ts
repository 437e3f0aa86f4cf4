// The method registry (torchdistill-style: named entries chosen by RunConfig.method / --method).
//
// Gradient routing of 'mnf-csc' (DESIGN.md, the seed's two optimisers): the student's
// parameters θs get ∇θs(CE(p_v) + CSC) with every path, including CSC → z → MNF → F; the MNF's
// parameters θm get ∇θm(CE(p_sv) + L1 + triplet + CSC). One backward pass of
//   objective = CE(p_v) + CSC(v, z, ã) + [CE(p_sv) + triplet + L1] computed on detached v, F
// gives exactly that: CSC appears once in each loss, and the bracket (from a second, cheap MNF
// forward on detached inputs that does not move BN running statistics) reaches only θm.
// The student runs once forward and once backward. PyTorch's reference computes
// autograd.grad(loss_s, θs) and autograd.grad(loss_m, θm) on one graph instead.
import { METHOD_NAMES, type MethodName, type RunConfig } from '../config/types.js';
import { Linear } from '../models/layers/linear.js';
import { Mnf } from '../models/mnf.js';
import { ParamStore } from '../models/params.js';
import { crossEntropy } from '../losses/cross-entropy.js';
import { cosineDistance } from '../losses/cosine.js';
import { cscLoss } from '../losses/csc.js';
import { detach } from '../losses/detach.js';
import { gateL1 } from '../losses/gate-l1.js';
import { tripletLoss } from '../losses/triplet.js';
import { tf } from '../tf.js';
import { mnfGateStatistics } from './gate-statistics.js';
import { METHOD_TERMS } from './terms.js';
import type { HeadContext, MethodDefinition, MethodHead, MethodInputs, MethodLosses } from './types.js';

function emptyHead(seed: number): MethodHead {
  return { store: new ParamStore(seed), losses: () => ({ objective: tf.scalar(0), terms: {} }) };
}

/** a learned Linear(D → D) projection of the teacher feature, as the contrastive target */
function projectionHead(config: RunConfig, seed: number, loss: (inputs: MethodInputs, projected: tf.Tensor2D) => MethodLosses): MethodHead {
  const store = new ParamStore(seed);
  const d = config.model.featureDim;
  const proj = new Linear(store, 'proj', d, d);
  return { store, losses: (inputs) => loss(inputs, proj.apply(inputs.teacher)) };
}

function mnfHead(config: RunConfig, seed: number, { across, batchNormSync }: HeadContext = {}): MethodHead {
  const store = new ParamStore(seed);
  const mnf = new Mnf(store, { dim: config.model.featureDim, numClasses: config.model.numClasses }, 'mnf', batchNormSync ? { sync: batchNormSync } : {});
  return {
    store,
    losses: ({ student, teacher, labels }) => {
      const { featureMap, pooled } = student;
      const main = mnf.apply(featureMap, teacher, true);
      const csc = cscLoss(pooled, main.z, main.aTilde, labels, { theta: config.theta, calibrated: true, across });
      const routed = mnf.apply(detach(featureMap), teacher, true, false);
      const ceMnf = crossEntropy(routed.logits, labels);
      const triplet = tripletLoss(detach(pooled), teacher, routed.aTilde, config.tripletMargin);
      const [w1, w2] = mnf.gateWeights();
      const l1 = gateL1(w1, w2, config.l1Weight, config.l1Original);
      const objective = tf.addN([csc, ceMnf, triplet, l1]) as tf.Scalar;
      return { objective, terms: { csc, ceMnf, triplet, gateL1: l1 }, gate: main.gate };
    },
    gateValues: (featureMap, teacher) => mnf.gateValues(featureMap, teacher, false),
  };
}

// one entry per METHOD_NAMES (config/schema.ts): the config check must not load tfjs, so the names live there
const DEFINITIONS: { [N in MethodName]: Omit<MethodDefinition, 'name' | 'terms'> } = {
  ce: {
    description: 'cross-entropy only, no distillation',
    createHead: (_config, seed) => emptyHead(seed),
  },
  'feat-kd': {
    description: 'feature KD: cosine distance between v and a learned projection of a',
    createHead: (config, seed) =>
      projectionHead(config, seed, ({ student }, projected) => {
        const featKd = cosineDistance(student.pooled, projected);
        return { objective: featKd, terms: { featKd } };
      }),
  },
  contrastive: {
    description: 'label-supervised in-batch contrastive, fixed τ = θ, no MNF',
    createHead: (config, seed, { across } = {}) =>
      projectionHead(config, seed, ({ student, teacher, labels }, projected) => {
        const contrastive = cscLoss(student.pooled, projected, teacher, labels, { theta: config.theta, calibrated: false, across });
        return { objective: contrastive, terms: { contrastive } };
      }),
  },
  csc: {
    description: 'CSC with calibrated τ, no MNF (ã = a, z = a learned projection of a)',
    createHead: (config, seed, { across } = {}) =>
      projectionHead(config, seed, ({ student, teacher, labels }, projected) => {
        const csc = cscLoss(student.pooled, projected, teacher, labels, { theta: config.theta, calibrated: true, across });
        return { objective: csc, terms: { csc } };
      }),
  },
  'mnf-csc': {
    description: 'MNF + CSC (Xia et al. 2023)',
    gateStatistics: mnfGateStatistics,
    createHead: mnfHead,
  },
};

export const METHODS = Object.fromEntries(
  METHOD_NAMES.map((name) => [name, { name, terms: METHOD_TERMS[name], ...DEFINITIONS[name] }]),
) as Record<MethodName, MethodDefinition>;

export function getMethod(name: string): MethodDefinition {
  const method = (METHODS as Record<string, MethodDefinition | undefined>)[name];
  if (!method) throw new Error(`--method: expected one of ${METHOD_NAMES.join(', ')}, got '${name}'`);
  return method;
}
