import { describe, expect, it } from 'vitest';
import type { ContainerRow } from '../compose/index.js';
import { psFormat, psJson, psTable } from './ps.js';

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
    // docker's formatter writes through a tabwriter with a minimum column width of 10
    expect(psTable([])).toBe('NAME      IMAGE     COMMAND   SERVICE   CREATED   STATUS    PORTS');
  });

  it('prints one JSON object per container with compose key names, in its order', () => {
    const json = psJson(row, row.created + 70);
    expect(Object.keys(json)).toEqual([
      'Command', 'CreatedAt', 'Engine', 'ExitCode', 'Health', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Name', 'Names',
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

  it('cuts IDs, commands and mounts unless --no-trunc', () => {
    const long = { ...row, id: 'f'.repeat(64), mounts: [{ name: 'a-very-long-volume-name', local: true }] };
    const cut = JSON.parse(psFormat([long], 'json', { now: row.created }));
    expect(cut).toMatchObject({ ID: 'f'.repeat(12), Command: '"/docker-entrypoint.…"', Mounts: 'a-very-long-vo…' });
    const full = JSON.parse(psFormat([long], 'json', { now: row.created, noTrunc: true }));
    expect(full).toMatchObject({ ID: 'f'.repeat(64), Command: '"/docker-entrypoint.sh nginx -g daemon off;"', Mounts: 'a-very-long-volume-name' });
  });

  it('renders a template and a table template with compose\'s headers', () => {
    expect(psFormat([row], '{{.Name}} {{.State}}')).toBe('shop-web-1 running\n');
    expect(psFormat([row], 'table {{.ID}}\\t{{.Service}}\\t{{.RunningFor}}', { now: row.created + 5 })).toBe(
      'CONTAINER ID   SERVICE   CREATED\nabc123         web       5 seconds ago\n',
    );
    expect(() => psFormat([row], '{{.Nope}}')).toThrow(/unknown field "Nope"/);
  });

  it('adds the ENGINE column when a container carries the engine label', () => {
    const engined = { ...row, labels: { ...row.labels, 'com.docker.compose.engine': 'moby' } };
    expect(psFormat([engined], undefined, { now: row.created + 150 }).split('\n')[0]).toMatch(/ PORTS +ENGINE$/);
  });
});
