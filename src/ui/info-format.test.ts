import { describe, expect, it } from 'vitest';
import type { ContainerImage, ProjectSummary, VolumeSummary } from '../compose/index.js';
import { imagesFormat, imagesJson, lsFormat, volumesFormat } from './info.js';

/** `--format` of `ls`, `images`, `volumes` through the Go-template renderer. */

const projects: ProjectSummary[] = [
  { name: 'shop', status: 'running(2)', configFiles: '/a/compose.yaml' },
  { name: 'blog', status: 'exited(1)', configFiles: '/b/compose.yaml,/b/override.yaml' },
];
const image: ContainerImage = {
  containerName: 'shop-web-1',
  id: 'sha256:0123456789abcdef',
  repository: 'nginx',
  tag: 'alpine',
  platform: 'linux/amd64',
  size: 4_260_000,
  created: '2026-01-01T00:00:00Z',
};
const volume: VolumeSummary = { name: 'shop_data', driver: 'local', scope: 'local', mountpoint: '/m', labels: {} };

describe('ls --format', () => {
  it('table (the default), json and templates', () => {
    expect(lsFormat(projects, undefined)).toBe(
      'NAME                STATUS              CONFIG FILES\nshop                running(2)          /a/compose.yaml\nblog                exited(1)           /b/compose.yaml,/b/override.yaml\n',
    );
    expect(lsFormat([], 'json')).toBe('[]\n');
    expect(lsFormat(projects, '{{.Name}}={{.ConfigFiles}}')).toBe('shop=/a/compose.yaml\nblog=/b/compose.yaml,/b/override.yaml\n');
    expect(lsFormat(projects.slice(0, 1), 'table {{.Status}}\\t{{.Name}}')).toBe('STATUS              NAME\nrunning(2)          shop\n');
    expect(() => lsFormat(projects, '{{.Project}}')).toThrow(/unknown field "Project"/);
  });
});

describe('images --format', () => {
  it('templates see the table\'s values under the JSON field names', () => {
    const now = Date.parse('2026-01-01T00:01:30Z') / 1000;
    expect(imagesFormat([image], '{{.ContainerName}} {{.ID}} {{.Size}} {{.Created}}', now)).toBe('shop-web-1 0123456789ab 4.26MB About a minute ago\n');
    expect(imagesFormat([image], 'table {{.Repository}}\\t{{.Tag}}', now)).toBe('REPOSITORY          TAG\nnginx               alpine\n');
  });

  it('json is one array with compose\'s field names, LastTagTime when the image was tagged, null when empty', () => {
    expect(Object.keys(JSON.parse(imagesJson([{ ...image, lastTagTime: '2026-01-02T00:00:00Z' }]))[0])).toEqual([
      'ID', 'ContainerName', 'Repository', 'Tag', 'Platform', 'Size', 'Created', 'LastTagTime',
    ]);
    expect(imagesFormat([], 'json')).toBe('null\n');
  });
});

describe('volumes --format', () => {
  it('table, one JSON object per line, and templates over the docker CLI\'s volume fields', () => {
    expect(volumesFormat([volume], 'table')).toBe('DRIVER    VOLUME NAME\nlocal     shop_data\n');
    expect(JSON.parse(volumesFormat([volume], 'json'))).toMatchObject({ Name: 'shop_data', Driver: 'local', Scope: 'local' });
    expect(volumesFormat([volume, { ...volume, name: 'shop_logs' }], '{{.Name}} {{.Mountpoint}}')).toBe('shop_data /m\nshop_logs /m\n');
    expect(volumesFormat([volume], 'table {{.Name}}\\t{{.Scope}}')).toBe('VOLUME NAME   SCOPE\nshop_data     local\n');
  });
});
