import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The swarm suite runs against the 3-node cluster of scripts/swarm-cluster.sh. It is used when it
 * is already up; with CAPSTAN_SWARM=1 it is built here (about a minute, root) and taken down
 * after. Otherwise the suite is skipped (test/swarm/cluster.ts `clusterUp`).
 */
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'swarm-cluster.sh');
let started = false;

export function setup(): void {
  if (existsSync('/run/capstan-swarm/node1.sock') || process.env.CAPSTAN_SWARM !== '1') return;
  execFileSync('bash', [SCRIPT, 'up'], { stdio: 'inherit' });
  started = true;
}

export function teardown(): void {
  if (started) execFileSync('bash', [SCRIPT, 'down'], { stdio: 'inherit' });
}
