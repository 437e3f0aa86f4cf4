// The body of a test's MPI rank (test/mpi-child.ts, test/batchnorm-sync-child.ts): joins the world,
// runs `body`, prints its result as one JSON line and finalises; a throw aborts every rank, naming
// this one (as the product does).
import { openCollectives, type Collectives } from '../src/distributed/collectives.js';
import { DistributedSetupError, joinWorld } from '../src/distributed/world.js';

export async function runRank(body: (c: Collectives) => Promise<object>): Promise<void> {
  let c: Collectives;
  try {
    c = openCollectives(joinWorld());
  } catch (err) {
    if (!(err instanceof DistributedSetupError)) throw err;
    process.stderr.write(`mnf-tui: ${err.message}\n`);
    process.exit(1);
  }
  try {
    const result = await body(c);
    process.stdout.write(JSON.stringify(result) + '\n');
    c.finalize();
  } catch (err) {
    c.abort((err as Error).message);
  }
}
