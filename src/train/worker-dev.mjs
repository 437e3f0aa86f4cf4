// Worker entry when the engine runs from TypeScript source (tests, `node --import tsx src/cli.ts`):
// registers tsx in this worker thread, then loads worker.ts. Compiled runs use worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
