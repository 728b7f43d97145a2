import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BUILT_MARKER, SCRIPT } from './cluster.js';

/**
 * The swarm suite's cluster (scripts/swarm-cluster.sh) is built by the suite itself, right before
 * it runs (cluster.ts `ensureCluster`, with CAPSTAN_SWARM=1). This teardown, after the whole run,
 * takes it down again when the suite built it, even when a test failed or a worker died.
 */
export function setup(): void {}

export function teardown(): void {
  if (existsSync(BUILT_MARKER)) execFileSync('bash', [SCRIPT, 'down'], { stdio: 'inherit' });
}
