import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The 3-node cluster of scripts/swarm-cluster.sh, for the swarm suite. It is built right before
 * the suite runs (not when the test run starts: three idle engines would otherwise wait through
 * the whole run, exposed to everything before them), and taken down by global-setup.ts's teardown
 * when the suite built it.
 */
// (not ../e2e/helpers.js's ROOT: that module registers hooks, and global-setup.ts imports this one)
export const SCRIPT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'scripts', 'swarm-cluster.sh');
/** The manager's Engine API socket. */
export const MANAGER = '/run/capstan-swarm/node1.sock';
/** Written when the suite built the cluster: the teardown removes only a cluster it built. */
export const BUILT_MARKER = '/run/capstan-swarm/built-by-tests';

/** Whether the suite runs: a cluster is up, or CAPSTAN_SWARM=1 asks for one to be built. */
export const wanted = existsSync(MANAGER) || process.env.CAPSTAN_SWARM === '1';

/**
 * Make sure the cluster answers with 3 ready nodes (`swarm-cluster.sh status`); otherwise build
 * it, or bring back the nodes that stopped (`swarm-cluster.sh up` is idempotent), printing the
 * end of a stopped node's log first so that its reason shows in the test output.
 * Throws when `up` fails.
 */
export function ensureCluster(): void {
  const existed = existsSync(MANAGER);
  const status = spawnSync('bash', [SCRIPT, 'status'], { encoding: 'utf8' });
  if (status.status === 0) return;
  if (existed) {
    const logs = [1, 2, 3]
      .map((n) => `/run/capstan-swarm/node${n}.log`)
      .filter((f) => existsSync(f))
      .map((f) => `--- ${f} (last lines)\n${readFileSync(f, 'utf8').split('\n').slice(-15).join('\n')}`);
    console.warn(`swarm cluster not healthy; bringing it back with swarm-cluster.sh up\n${status.stdout}${logs.join('\n')}`);
  }
  execFileSync('bash', [SCRIPT, 'up'], { stdio: 'inherit' });
  if (!existed) writeFileSync(BUILT_MARKER, `${process.pid}\n`);
}
