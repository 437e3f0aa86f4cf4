// A trained model ready to evaluate: a checkpoint loaded into a trainer over its dataset (or
// another one), for the eval and retrieve commands.
import type { CudaMathMode } from '../backend/cuda/math-mode.js';
import type { RunConfig } from '../config/types.js';
import { readCheckpoint, type CheckpointMeta } from '../train/checkpoint.js';
import { classCountMismatch } from '../train/data-source.js';
import type { EngineSetup } from '../train/engine.js';
import type { EngineOptions } from '../train/events.js';
import type { Evaluator } from './procedures.js';

export interface EvalSession extends Evaluator {
  config: RunConfig;
  meta: CheckpointMeta;
  backend: string;
  device: string;
  close(): Promise<void>;
}

export async function openEvalSession(
  checkpointDir: string,
  options: { dataset?: string; backend?: EngineOptions['backend']; math?: CudaMathMode; onWarning(message: string): void },
  setup: EngineSetup,
): Promise<EvalSession> {
  const checkpoint = readCheckpoint(checkpointDir);
  const config: RunConfig = { ...checkpoint.meta.config, ...(options.dataset ? { dataset: options.dataset } : {}) };
  const info = await setup.initBackend(options.backend ?? 'auto', options.math);
  const data = await setup.openData(config, { onProgress: () => {}, onWarning: options.onWarning });
  const mismatch = classCountMismatch(data, config.model.numClasses, config.dataset);
  if (mismatch) {
    await data.close();
    throw new Error(mismatch);
  }
  const trainer = setup.createTrainer(config);
  trainer.setState(checkpoint.state);
  return {
    config,
    meta: checkpoint.meta,
    backend: info.backend,
    device: info.device,
    data,
    numClasses: config.model.numClasses,
    evaluate: (batch) => trainer.evaluate(batch),
    close: async () => {
      await data.close();
      trainer.dispose();
    },
  };
}
