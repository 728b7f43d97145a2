import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { loadProject, projectToModel } from './index.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-load-'));
  const root = join(dir, 'My_App');
  mkdirSync(root);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

const COMPOSE = `version: "3.8"
services:
  web:
    build: ./web
    command: npm start --port "\${PORT}"
    ports:
      - "\${PORT:-80}:80"
      - "127.0.0.1::9000"
    environment:
      - NODE_ENV=\${NODE_ENV}
      - FROM_SHELL
      - NOT_SET
    volumes:
      - ./src:/app/src:ro
      - data:/data
    depends_on: [db]
    labels: [com.example=\$\$literal]
  db:
    image: postgres:\${PG_VERSION:?set PG_VERSION}
    healthcheck:
      test: pg_isready
      retries: "5"
  debug:
    image: busybox
    profiles: [debug]
volumes:
  data: {}
`;

const OVERRIDE = `services:
  web:
    ports:
      - "8443:443"
    environment:
      EXTRA: "1"
    deploy:
      replicas: 2
`;

describe('loadProject', () => {
  it('loads compose.yaml + .env + override into the canonical model', async () => {
    const dir = project({
      'compose.yaml': COMPOSE,
      'compose.override.yaml': OVERRIDE,
      '.env': 'PORT=8080\nNODE_ENV=production\nPG_VERSION=16\n',
    });
    const warnings: string[] = [];
    const p = await loadProject({ cwd: dir, env: { FROM_SHELL: 'yes', HOME: '/home/u' }, onWarning: (w) => warnings.push(w) });
    expect(p.name).toBe('my_app');
    expect(p.workingDir).toBe(dir);
    expect(p.configFiles).toEqual([join(dir, 'compose.yaml'), join(dir, 'compose.override.yaml')]);
    expect(Object.keys(p.services)).toEqual(['web', 'db']);
    expect(Object.keys(p.disabledServices)).toEqual(['debug']);
    const web = p.services.web!;
    expect(web.build).toEqual({ context: join(dir, 'web'), dockerfile: 'Dockerfile' });
    expect(web.command).toEqual(['npm', 'start', '--port', '8080']);
    expect(web.ports).toEqual([
      { mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' },
      { mode: 'ingress', host_ip: '127.0.0.1', target: 9000, protocol: 'tcp' },
      { mode: 'ingress', target: 443, published: '8443', protocol: 'tcp' },
    ]);
    expect(web.environment).toEqual({ NODE_ENV: 'production', FROM_SHELL: 'yes', NOT_SET: null, EXTRA: '1' });
    expect(web.volumes).toEqual([
      { type: 'bind', source: join(dir, 'src'), target: '/app/src', read_only: true, bind: { create_host_path: true } },
      { type: 'volume', source: 'data', target: '/data', volume: {} },
    ]);
    expect(web.depends_on).toEqual({ db: { condition: 'service_started', required: true } });
    expect(web.networks).toEqual({ default: null });
    expect(web.labels).toEqual({ 'com.example': '$literal' });
    expect(web.scale).toBe(2);
    expect(p.services.db!.image).toBe('postgres:16');
    expect(p.services.db!.healthcheck).toEqual({ test: ['CMD-SHELL', 'pg_isready'], retries: 5 });
    expect(p.networks).toEqual({ default: { name: 'my_app_default' } });
    expect(p.volumes).toEqual({ data: { name: 'my_app_data' } });
    expect(p.environment.PORT).toBe('8080');
    expect(warnings.some((w) => w.includes('`version` is obsolete'))).toBe(true);

    const model = projectToModel(p);
    expect(Object.keys(model)).toEqual(['name', 'services', 'networks', 'volumes']);
    const webModel = (model.services as Record<string, Record<string, unknown>>).web!;
    expect(webModel).not.toHaveProperty('name');
    expect(Object.keys(webModel)).toEqual([...Object.keys(webModel)].sort());
    expect(webModel.labels).toEqual({ 'com.example': '$$literal' });
  });

  it('applies -p, --profile, --env-file and -f', async () => {
    const dir = project({
      'base.yml': 'name: FromFile\nservices:\n  a:\n    image: ${IMG}\n  dbg:\n    image: x\n    profiles: [debug]\n',
      'custom.env': 'IMG=alpine\n',
    });
    const p = await loadProject({ cwd: dir, files: ['base.yml'], envFiles: ['custom.env'], profiles: ['debug'], env: {} });
    expect(p.name).toBe('fromfile');
    expect(p.services.a!.image).toBe('alpine');
    expect(Object.keys(p.services)).toEqual(['a', 'dbg']);
    expect(p.envFiles).toEqual([join(dir, 'custom.env')]);
    const q = await loadProject({ cwd: dir, files: ['base.yml'], envFiles: ['custom.env'], projectName: 'explicit', env: { COMPOSE_PROFILES: '*' } });
    expect(q.name).toBe('explicit');
    expect(Object.keys(q.services)).toEqual(['a', 'dbg']);
  });

  it('reads stdin for -', async () => {
    const dir = project({});
    const p = await loadProject({ cwd: dir, files: ['-'], env: {}, readStdin: async () => 'services:\n  s:\n    image: x\n' });
    expect(p.workingDir).toBe(dir);
    expect(p.services.s!.image).toBe('x');
  });

  it('warns once per unset variable', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  s:\n    image: "x$X"\n    environment: [A=$X, B=$Y]\n' });
    const warnings: string[] = [];
    await loadProject({ cwd: dir, env: {}, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      'The "X" variable is not set. Defaulting to a blank string.',
      'The "Y" variable is not set. Defaulting to a blank string.',
    ]);
  });

  const failing: [string, Record<string, string>, RegExp][] = [
    ['schema typo', { 'compose.yaml': 'services:\n  web:\n    image: nginx\n    restrat: always\n' }, /^compose\.yaml:4:5: services\.web: additional properties 'restrat' not allowed$/],
    ['YAML syntax', { 'compose.yaml': 'services:\n  web:\n    image: "unterminated\n' }, /^compose\.yaml:\d+:\d+: /],
    ['required variable', { 'compose.yaml': 'services:\n  web:\n    image: ${TAG:?TAG is needed}\n' }, /^compose\.yaml:3:12: services\.web\.image: required variable TAG is missing a value: TAG is needed$/],
    ['bad port', { 'compose.yaml': 'services:\n  web:\n    image: x\n    ports: ["80:80:80"]\n' }, /^compose\.yaml:4:13: services\.web\.ports\[0\]: "80:80:80" is not a port mapping$/],
    ['no image', { 'compose.yaml': 'services:\n  web:\n    restart: always\n' }, /services\.web: service "web" has neither an image nor a build context/],
    ['unknown network', { 'compose.yaml': 'services:\n  web:\n    image: x\n    networks: [back]\n' }, /undefined network back/],
    ['unknown volume', { 'compose.yaml': 'services:\n  web:\n    image: x\n    volumes: ["data:/d"]\n' }, /undefined volume data/],
    ['unknown dependency', { 'compose.yaml': 'services:\n  web:\n    image: x\n    depends_on: [db]\n' }, /depends on undefined service "db"/],
    ['disabled dependency', { 'compose.yaml': 'services:\n  web:\n    image: x\n    depends_on: [db]\n  db:\n    image: y\n    profiles: [p]\n' }, /not enabled by the active profiles/],
    ['bad .env', { 'compose.yaml': 'services: {}\n', '.env': 'OK=1\nBAD KEY=2\n' }, /^\.env:2: key cannot contain a space$/],
    ['bad -p', { 'compose.yaml': 'services: {}\n' }, /must consist only of lowercase alphanumeric characters/],
  ];
  it.each(failing)('fails with a positioned LoaderError: %s', async (name, files, re) => {
    const dir = project(files);
    let err: unknown;
    try {
      await loadProject({ cwd: dir, env: {}, onWarning: () => {}, projectName: name === 'bad -p' ? 'Bad' : undefined });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoaderError);
    expect((err as LoaderError).message).toMatch(re);
  });

  it('fails when no compose file exists and on a missing --env-file', async () => {
    const dir = project({ 'compose.yaml': 'services: {}\n' });
    await expect(loadProject({ cwd: dir, env: {}, envFiles: ['nope.env'] })).rejects.toThrow(/couldn't find env file/);
  });
});
