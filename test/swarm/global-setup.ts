import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { BUILT_MARKER, SCRIPT } from './cluster.js';

/**
 * The swarm suite's cluster (scripts/swarm-cluster.sh) is built by the suite itself, right before
 * it runs (cluster.ts `ensureCluster`, with CAPSTAN_SWARM=1). This teardown, after the whole run,
 * takes it down again when the suite built it, even when a test failed or a worker died. It runs
 * the script asynchronously: a synchronous call would block vitest's main process for the ~10 s
 * the script takes, and vitest would time out ending the suite's worker meanwhile.
 */
export async function teardown(): Promise<void> {
  if (!existsSync(BUILT_MARKER)) return;
  const { stdout, stderr } = await promisify(execFile)('bash', [SCRIPT, 'down']);
  process.stdout.write(stdout);
  process.stderr.write(stderr);
}
