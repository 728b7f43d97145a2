import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { loadProject, projectToModel } from './index.js';
import { INVALID_PROJECT_NAME } from './project-name.js';

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
    expect(web.scale).toBeUndefined(); // only deploy.replicas is set: compose-go leaves scale unset
    expect(web.deploy?.replicas).toBe(2);
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
    // moved from normalize.test.ts (normalizeModel no longer returns the file's name): name: sets the project name
    const named = project({ 'compose.yaml': 'name: file-name\nservices:\n  a: {image: x}\n' });
    expect((await loadProject({ cwd: named, env: {} })).name).toBe('file-name');
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

describe('project name while loading', () => {
  it('interpolates ${COMPOSE_PROJECT_NAME} with the final name, whichever file sets name:', async () => {
    const dir = project({
      'a.yaml': 'name: first\nservices:\n  web: {image: web, container_name: "${COMPOSE_PROJECT_NAME}-web"}\n',
      'b.yaml': 'name: ${WHICH}\nservices:\n  db: {image: db, container_name: "${COMPOSE_PROJECT_NAME}-db"}\n',
    });
    const p = await loadProject({ cwd: dir, env: { WHICH: 'second' }, files: ['a.yaml', 'b.yaml'] });
    expect(p.name).toBe('second');
    expect(p.services.web!.container_name).toBe('second-web');
    expect(p.services.db!.container_name).toBe('second-db');
    expect(p.environment.COMPOSE_PROJECT_NAME).toBe('second');
    const q = await loadProject({ cwd: dir, env: { COMPOSE_PROJECT_NAME: 'from_env' }, files: ['a.yaml'] });
    expect(q.services.web!.container_name).toBe('from_env-web');
  });
  it('falls back to the directory; `-p ""` is not a name; nameFromEnvironment: false ignores the variable', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  s: {image: s}\n' });
    expect((await loadProject({ cwd: dir, env: {}, projectName: '' })).name).toBe('my_app');
    await expect(
      loadProject({ cwd: dir, env: { COMPOSE_PROJECT_NAME: 'x' }, nameFromDirectory: false, nameFromEnvironment: false }),
    ).rejects.toThrow('project name must not be empty');
    await expect(loadProject({ cwd: dir, env: { COMPOSE_PROJECT_NAME: 'Bad.Name' } })).rejects.toThrow('invalid project name "Bad.Name"');
    // moved from project-name.test.ts: -p is checked once, when the project options are built
    await expect(loadProject({ cwd: dir, env: {}, projectName: 'Bad' })).rejects.toThrow(INVALID_PROJECT_NAME);
  });
});

describe('service selection and pruning', () => {
  const FILE = `services:
  web: {image: web, networks: [front], volumes: ["data:/data"], depends_on: [api]}
  api: {image: api}
  other:
    image: other
    networks: [back]
    env_file: [{path: missing.env, required: true}]
  dbg: {image: dbg, profiles: [debug]}
networks: {front: {}, back: {}}
volumes: {data: {}, tmp: {}}
`;
  it('keeps the selected services and their dependencies, and does not read the others\' env files', async () => {
    const dir = project({ 'compose.yaml': FILE });
    await expect(loadProject({ cwd: dir, env: {} })).rejects.toThrow(/missing\.env/);
    const p = await loadProject({ cwd: dir, env: {}, services: ['web'] });
    expect(Object.keys(p.services)).toEqual(['web', 'api']);
    expect(Object.keys(p.disabledServices).sort()).toEqual(['dbg', 'other']);
    expect(Object.keys(p.networks)).toEqual(['front', 'back', 'default']); // not pruned unless asked
    const d = await loadProject({ cwd: dir, env: {}, services: ['dbg'] });
    expect(Object.keys(d.services)).toEqual(['dbg']);
    await expect(loadProject({ cwd: dir, env: {}, services: ['nope'] })).rejects.toThrow('no such service: nope');
  });
  it('with noDeps keeps only the named services (up --no-deps)', async () => {
    const dir = project({ 'compose.yaml': FILE });
    const p = await loadProject({ cwd: dir, env: {}, services: ['web'], noDeps: true });
    expect(Object.keys(p.services)).toEqual(['web']);
    expect(Object.keys(p.disabledServices).sort()).toEqual(['api', 'dbg', 'other']);
  });
  it('prunes networks and volumes no kept service uses', async () => {
    const dir = project({ 'compose.yaml': FILE });
    const p = await loadProject({ cwd: dir, env: {}, services: ['web'], pruneResources: true });
    expect(Object.keys(p.networks)).toEqual(['front', 'default']);
    expect(Object.keys(p.volumes)).toEqual(['data']);
  });
  it('interpolates an extends base with the environment of the project that extends it', async () => {
    const dir = project({
      'base.yaml': 'services:\n  b: {image: "img:${TAG:-root}"}\n',
      'compose.yaml': 'include: [sub/compose.yaml]\nservices:\n  r: {extends: {file: base.yaml, service: b}}\n',
    });
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'compose.yaml'), 'services:\n  i: {extends: {file: ../base.yaml, service: b}}\n');
    writeFileSync(join(dir, 'sub', '.env'), 'TAG=inc\n');
    const p = await loadProject({ cwd: dir, env: {} });
    expect(p.services.i!.image).toBe('img:inc');
    expect(p.services.r!.image).toBe('img:root');
  });
  it('reads env files relative to the project directory without path resolution', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  s: {image: s, env_file: [vars.env]}\n', 'vars.env': 'A=1\n' });
    const p = await loadProject({ cwd: '/', files: [join(dir, 'compose.yaml')], env: {}, resolvePaths: false });
    expect(p.services.s!.environment).toEqual({ A: '1' });
  });
});
