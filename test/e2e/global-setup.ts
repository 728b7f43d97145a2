import { request } from 'node:http';
import { existsSync } from 'node:fs';

/**
 * Before any e2e test: the CLI must be built and a Docker engine must answer `/_ping`.
 * Where none answers, the suite fails with one clear line (CI must never go green without it).
 */
export default async function setup(): Promise<void> {
  if (!existsSync(new URL('../../dist/cli.cjs', import.meta.url))) {
    throw new Error('e2e: dist/cli.cjs is missing — run `npm run build` first');
  }
  const host = process.env.DOCKER_HOST ?? '';
  const ok = await new Promise<boolean>((resolve) => {
    const opts = host.startsWith('tcp://')
      ? { host: new URL(host.replace('tcp://', 'http://')).hostname, port: Number(new URL(host.replace('tcp://', 'http://')).port) }
      : { socketPath: host.startsWith('unix://') ? host.slice(7) : '/var/run/docker.sock' };
    const req = request({ ...opts, path: '/_ping', timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
  if (!ok) throw new Error('e2e: no Docker engine answers /_ping — run `bash scripts/engine.sh` first');
}
