// The engine's real collaborators: backend selection, the dataset on disk (or the default one),
// and the method's trainer.
import { stepMemoryStats } from '../backend/cuda/memory-stats.js';
import { initBackend } from '../backend/select.js';
import { openDataset } from '../data/dataset.js';
import { ensureDefaultDataset } from '../data/default-dataset.js';
import { openJob } from '../distributed/job.js';
import { trainingDataFrom } from './data-source.js';
import type { EngineSetup } from './engine.js';
import { createTrainer } from './trainer.js';

export function defaultSetup(): EngineSetup {
  return {
    async initBackend(name, math) {
      const info = await initBackend(name ?? 'auto', { math });
      // on a host backend a CUDA device serves only the CSC loss and the clip transforms
      const device = info.name !== 'cuda' && info.cuda ? `${info.device}; CUDA: ${info.devices.join(', ')}` : info.device;
      return { backend: info.name, device, reasons: info.reasons };
    },
    async openData(config, hooks, shard) {
      const dir = config.dataset ?? (await ensureDefaultDataset((done, total) => hooks.onProgress('default dataset: generating videos', done, total)));
      const dataset = await openDataset(dir, { onBadSample: config.onBadSample, clipLength: config.clipLength });
      return trainingDataFrom(dataset, config, hooks, undefined, shard);
    },
    createTrainer,
    openJob,
    stepMemory: stepMemoryStats,
  };
}
