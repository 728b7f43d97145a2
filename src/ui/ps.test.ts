import { describe, expect, it } from 'vitest';
import type { ContainerRow } from '../compose/index.js';
import { psJson, psTable } from './ps.js';

const row: ContainerRow = {
  id: 'abc123',
  name: 'shop-web-1',
  image: 'nginx:1.27',
  command: '/docker-entrypoint.sh nginx -g daemon off;',
  project: 'shop',
  service: 'web',
  number: 1,
  created: 1795241409,
  state: 'running',
  status: 'Up 2 minutes (healthy)',
  health: 'healthy',
  exitCode: 0,
  publishers: [
    { URL: '::', TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp' },
    { URL: '0.0.0.0', TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp' },
  ],
  labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' },
  networks: ['shop_default'],
  mounts: [
    { name: 'shop_data', local: true },
    { name: '/srv/conf', local: false },
  ],
};

describe('ps output', () => {
  it('prints the table docker compose prints', () => {
    expect(psTable([row], row.created + 150).split('\n')).toEqual([
      'NAME         IMAGE        COMMAND                  SERVICE   CREATED         STATUS                   PORTS',
      'shop-web-1   nginx:1.27   "/docker-entrypoint.…"   web       2 minutes ago   Up 2 minutes (healthy)   0.0.0.0:8080->80/tcp, [::]:8080->80/tcp',
    ]);
    expect(psTable([])).toBe('NAME   IMAGE   COMMAND   SERVICE   CREATED   STATUS   PORTS');
  });

  it('prints one JSON object per container with compose key names, in its order', () => {
    const json = psJson(row, row.created + 70);
    expect(Object.keys(json)).toEqual([
      'Command', 'CreatedAt', 'ExitCode', 'Health', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Name', 'Names',
      'Networks', 'Ports', 'Project', 'Publishers', 'RunningFor', 'Service', 'Size', 'State', 'Status',
    ]);
    expect(json).toMatchObject({
      Command: '"/docker-entrypoint.…"',
      CreatedAt: '2026-11-21 06:10:09 +0000 UTC',
      Labels: 'com.docker.compose.project=shop,com.docker.compose.service=web',
      LocalVolumes: '1',
      Mounts: 'shop_data,/srv/conf',
      Networks: 'shop_default',
      Ports: '0.0.0.0:8080->80/tcp, [::]:8080->80/tcp',
      RunningFor: 'About a minute ago',
      Size: '0B',
    });
  });
});
