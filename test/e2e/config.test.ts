import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { capstan, projectDir } from './helpers.js';

/** `capstan config` output as docker compose prints it (cmd/compose/config.go). No engine needed. */
const file = `services:
  web:
    image: busybox
    ports: ["\${WEB_PORT:-8000}:80"]
    depends_on: [db]
  db:
    image: "busybox:\${TAG?set TAG}"
`;
const dir = projectDir({ 'compose.yaml': file });

describe('config', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--services lists dependencies first', async () => {
    const r = await capstan(['-p', 'cfg', 'config', '--services'], { cwd: dir, env: { TAG: 'latest' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('db\nweb\n');
  });

  it('--variables prints NAME REQUIRED DEFAULT VALUE ALTERNATE VALUE', async () => {
    const r = await capstan(['-p', 'cfg', 'config', '--variables'], { cwd: dir });
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'REQUIRED', 'DEFAULT VALUE', 'ALTERNATE VALUE']);
    expect(rows.map((l) => l.split(/\s{2,}/))).toEqual([['TAG', 'true'], ['WEB_PORT', 'false', '8000']]);
  });

  it('reads the compose file from stdin with -f - (the shared loader path of every command)', async () => {
    const r = await capstan(['-p', 'cfg', '-f', '-', '--project-directory', dir, 'config', '--images'], { input: file, env: { TAG: '1.36' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('busybox\nbusybox:1.36\n');
  });

  it('-f=path and -p=name mean -f path and -p name, as in docker compose (Go flags)', async () => {
    const r = await capstan([`-f=${dir}/compose.yaml`, '-p=cfg', 'config', '--services'], { env: { TAG: 'latest' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('db\nweb\n');
    const bad = await capstan(['-f=/nonexistent/compose.yaml', 'config'], {});
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('/nonexistent/compose.yaml');
  });

  describe('each flag, with a positive and a negative case', () => {
    const flagsFile = `name: flags
services:
  web:
    image: "busybox:\${TAG:-1.36}"
    build: ./app
    environment: [GREETING=hello $$HOME]
    env_file: [app.env]
    volumes: [data:/data, ./src:/src]
    networks: [front]
  debug:
    image: busybox
    profiles: [dev]
networks:
  front: {}
volumes:
  data: {}
`;
    const fdir = projectDir({ 'compose.yaml': flagsFile, 'app.env': 'FROM_FILE=1\n', 'app/Dockerfile': 'FROM busybox\n' });
    const run = (...args: string[]) => capstan(args, { cwd: fdir, env: { TAG: '' } });
    afterAll(() => rmSync(fdir, { recursive: true, force: true }));

    it('--format json and yaml print the same model; an unknown format is refused', async () => {
      const json = await run('config', '--format', 'json');
      expect(json.code, json.stderr).toBe(0);
      const model = JSON.parse(json.stdout) as { services: Record<string, { image: string; environment: Record<string, string> }> };
      expect(model.services.web!.image).toBe('busybox:1.36');
      expect(model.services.web!.environment).toEqual({ GREETING: 'hello $$HOME', FROM_FILE: '1' });
      const yaml = await run('config', '--format', 'yaml');
      expect(yaml.stdout).toContain('image: busybox:1.36');
      const bad = await run('config', '--format', 'toml');
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/toml/);
    });

    it('-o writes the output to a file; -q prints nothing and still validates', async () => {
      const out = join(fdir, 'out.yaml');
      expect((await run('config', '-o', out)).stdout).toBe('');
      expect(readFileSync(out, 'utf8')).toContain('name: flags');
      const q = await run('config', '-q');
      expect(q.code).toBe(0);
      expect(q.stdout).toBe('');
      const broken = await capstan(['-f', '-', 'config', '-q'], { cwd: fdir, input: 'services:\n  x:\n    image: busybox\n    ports: {a: 1}\n' });
      expect(broken.code).not.toBe(0);
      expect(broken.stderr).toMatch(/services\.x\.ports/);
    });

    it('--services, --volumes, --networks, --profiles, --images list one kind each', async () => {
      expect((await run('config', '--services')).stdout).toBe('web\n');
      expect((await run('--profile', 'dev', 'config', '--services')).stdout.split('\n').filter(Boolean).sort()).toEqual(['debug', 'web']);
      expect((await run('config', '--volumes')).stdout).toBe('data\n');
      expect((await run('config', '--networks')).stdout).toBe('front\n');
      expect((await run('config', '--profiles')).stdout).toBe('dev\n');
      expect((await run('config', '--images')).stdout).toBe('busybox:1.36\n');
    });

    it('--hash prints "<service> <hash>" and refuses an unknown service', async () => {
      const h = await run('config', '--hash', 'web');
      expect(h.stdout).toMatch(/^web [0-9a-f]{64}\n$/);
      expect((await run('config', '--hash', '*')).stdout).toBe(h.stdout);
      const bad = await run('config', '--hash', 'nope');
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('no such service: nope');
    });

    it('--environment prints the interpolation environment', async () => {
      const e = await capstan(['config', '--environment'], { cwd: fdir, env: { TAG: '2.0' } });
      expect(e.code).toBe(0);
      expect(e.stdout).toContain('TAG=2.0');
      expect(e.stdout).not.toContain('FROM_FILE=1'); // env_file feeds containers, not interpolation
    });

    it('--variables reads included files too; --no-interpolate renders every service', async () => {
      const idir = projectDir({
        'compose.yaml': 'include: [inc.yaml]\nservices:\n  web:\n    image: "busybox:${TAG?set TAG}"\n    mem_limit: ${MEM:-1g}\n',
        'inc.yaml': 'services:\n  inc:\n    image: "x:${B:-def}"\n',
      });
      try {
        const vars = await capstan(['config', '--variables'], { cwd: idir });
        expect(vars.code, vars.stderr).toBe(0);
        expect(vars.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s{2,}/))).toEqual([['B', 'false', 'def'], ['MEM', 'false', '1g'], ['TAG', 'true']]);
        const raw = await capstan(['config', '--no-interpolate', '--format', 'json', 'web'], { cwd: idir, env: { TAG: '1' } });
        expect(Object.keys(JSON.parse(raw.stdout).services).sort()).toEqual(['inc', 'web']);
        const filtered = await capstan(['config', '--format', 'json', 'web'], { cwd: idir, env: { TAG: '1' } });
        expect(Object.keys(JSON.parse(filtered.stdout).services)).toEqual(['web']);
      } finally {
        rmSync(idir, { recursive: true, force: true });
      }
    });

    it('--no-interpolate keeps ${...} as written', async () => {
      const raw = await run('config', '--no-interpolate', '--format', 'json');
      expect(JSON.parse(raw.stdout).services.web.image).toBe('busybox:${TAG:-1.36}');
      expect(JSON.parse((await run('config', '--format', 'json')).stdout).services.web.image).not.toContain('${');
    });

    it('--no-path-resolution keeps relative paths; by default they are absolute', async () => {
      const rel = JSON.parse((await run('config', '--no-path-resolution', '--format', 'json')).stdout);
      expect(rel.services.web.build.context).toBe('./app');
      const abs = JSON.parse((await run('config', '--format', 'json')).stdout);
      expect(abs.services.web.build.context).toBe(join(fdir, 'app'));
    });

    it('--no-normalize adds no resource names; by default networks and volumes get <project>_<key>', async () => {
      const raw = JSON.parse((await run('config', '--no-normalize', '--format', 'json')).stdout);
      expect(raw.networks.front?.name).toBeUndefined();
      const norm = JSON.parse((await run('config', '--format', 'json')).stdout);
      expect(norm.networks.front.name).toBe('flags_front');
      expect(norm.volumes.data.name).toBe('flags_data');
    });

    it('--no-env-resolution leaves env_file unread; by default it is folded into environment', async () => {
      const raw = JSON.parse((await run('config', '--no-env-resolution', '--format', 'json')).stdout);
      expect(raw.services.web.environment.FROM_FILE).toBeUndefined();
      expect(raw.services.web.env_file).toBeDefined();
    });

    it('--no-consistency loads a project that refers to an undefined network', async () => {
      const input = 'services:\n  x:\n    image: busybox\n    networks: [nowhere]\n';
      const strict = await capstan(['-f', '-', 'config', '-q'], { cwd: fdir, input });
      expect(strict.code).not.toBe(0);
      expect(strict.stderr).toContain('refers to undefined network nowhere');
      const loose = await capstan(['-f', '-', 'config', '-q', '--no-consistency'], { cwd: fdir, input });
      expect(loose.code, loose.stderr).toBe(0);
    });
  });
});
