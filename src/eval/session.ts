// A trained model ready to evaluate: a checkpoint loaded into a trainer over its dataset (or
// another one), for the eval and retrieve commands.
import type { RunConfig } from '../config/types.js';
import { readCheckpoint, type CheckpointMeta } from '../train/checkpoint.js';
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
  options: { dataset?: string; backend?: EngineOptions['backend']; onWarning(message: string): void },
  setup: EngineSetup,
): Promise<EvalSession> {
  const checkpoint = readCheckpoint(checkpointDir);
  const config: RunConfig = { ...checkpoint.meta.config, ...(options.dataset ? { dataset: options.dataset } : {}) };
  const info = await setup.initBackend(options.backend ?? 'auto');
  const data = await setup.openData(config, { onProgress: () => {}, onWarning: options.onWarning });
  if (data.classNames.length !== config.model.numClasses) {
    await data.close();
    throw new Error(`dataset ${config.dataset ?? '(default)'} has ${data.classNames.length} classes; the checkpoint's model has ${config.model.numClasses}`);
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
