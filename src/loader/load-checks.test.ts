/**
 * Values the schema types with a format are checked at load time (issue 9 item 1): a bad one is a
 * LoaderError `file:line:col: key.path: reason` quoting the value, before any container is made.
 * Several of these were container-spec errors without position; their messages are kept.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { serviceHash } from '../compose/hash.js';
import { loadProject, projectToModel } from './index.js';

/** Load a one-file project whose service `web` has `attrs` (YAML lines indented under it). */
async function loadWith(attrs: string): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-checks-'));
  writeFileSync(join(dir, 'compose.yaml'), `services:\n  web:\n    image: busybox\n${attrs}`);
  writeFileSync(join(dir, 'pw.txt'), 'x');
  return loadProject({ cwd: dir, env: {} });
}

/** The LoaderError that loading `attrs` throws. */
async function errorOf(attrs: string): Promise<LoaderError> {
  const err = await loadWith(attrs).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LoaderError);
  return err as LoaderError;
}

describe('load-time checks of formatted values', () => {
  it('refuses a bad duration with file:line:col, key path and value', async () => {
    const err = await errorOf('    stop_grace_period: 5 sec\n');
    expect(err.message).toMatch(/compose\.yaml:4:24: services\.web\.stop_grace_period: "5 sec" is not a duration$/);
    expect(err.hint).toMatch(/1m30s/);
  });

  it('refuses a bad byte size', async () => {
    const err = await errorOf('    shm_size: 64 megs\n');
    expect(err.message).toMatch(/compose\.yaml:4:15: services\.web\.shm_size: invalid size: "64 megs"$/);
  });

  it('refuses a bad octal file mode', async () => {
    const secrets = (mode: string) => `    secrets: [{source: pw, mode: ${mode}}]\nsecrets:\n  pw: {file: ./pw.txt}\n`;
    expect((await errorOf(secrets('"0999"'))).message).toMatch(/compose\.yaml:4:\d+: services\.web\.secrets\[0\]: invalid file mode "0999"/);
    expect((await errorOf(secrets('abc'))).message).toMatch(/compose\.yaml:4:\d+: services\.web\.secrets\[0\]: invalid file mode "abc"/);
  });

  it('refuses bad healthcheck and deploy durations', async () => {
    expect((await errorOf('    healthcheck:\n      test: ["CMD", "true"]\n      interval: soon\n')).message).toMatch(
      /compose\.yaml:6:17: services\.web\.healthcheck\.interval: "soon" is not a duration/,
    );
    expect((await errorOf('    deploy:\n      restart_policy: {delay: later}\n')).message).toMatch(
      /compose\.yaml:5:\d+: services\.web\.deploy\.restart_policy\.delay: "later" is not a duration/,
    );
  });

  // moved from container-spec.test.ts: these were VALIDATION errors without a position
  it('refuses a bad ulimit, tmpfs path and device request', async () => {
    expect((await errorOf('    ulimits: {nofile: many}\n')).message).toMatch(/compose\.yaml:4:\d+: services\.web\.ulimits\.nofile: .*"many"/);
    expect((await errorOf('    tmpfs: [run]\n')).message).toMatch(/compose\.yaml:4:\d+: services\.web\.tmpfs\[0\]: tmpfs "run" must be an absolute path/);
    expect((await errorOf('    gpus: [{count: 1, device_ids: ["0"]}]\n')).message).toMatch(
      /compose\.yaml:4:\d+: services\.web\.gpus\[0\]: "count" and "device_ids" attributes are exclusive/,
    );
  });

  // compose-go loads these (docker compose config prints them) and the engine refuses them at
  // create time: accepted, with a warning at the line
  it('accepts an unknown restart policy and mem_swappiness outside 0–100, warning at the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-checks-'));
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    restart: sometimes\n    mem_swappiness: 101\n');
    const warnings: string[] = [];
    const p = await loadProject({ cwd: dir, env: {}, onWarning: (w) => warnings.push(w) });
    expect([p.services.web!.restart, p.services.web!.mem_swappiness]).toEqual(['sometimes', 101]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/compose\.yaml:4:14: services\.web\.restart: unknown restart policy "sometimes"/);
    expect(warnings[1]).toMatch(/compose\.yaml:5:\d+: services\.web\.mem_swappiness: mem_swappiness 101 is outside 0–100/);
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    restart: ${RESTART:-}\n');
    warnings.length = 0;
    expect((await loadProject({ cwd: dir, env: {}, onWarning: (w) => warnings.push(w) })).services.web!.restart).toBe('');
    expect(warnings).toEqual([]);
  });

  it('reads the attributes the container spec used to re-parse into typed values', async () => {
    const p = (await loadWith(
      [
        '    ulimits: {nproc: 65535, nofile: {soft: 20000, hard: "40000"}}',
        '    logging: {driver: json-file, options: {max-size: 10m, max-file: 3}}',
        '    sysctls: [net.ipv4.ip_forward=1]',
        '    group_add: [audio, 1000]',
        '    cpu_quota: 50000',
        '    x-team: core',
        '',
      ].join('\n'),
    )) as { services: Record<string, Record<string, unknown>> };
    const web = p.services.web!;
    expect(web.ulimits).toEqual({ nproc: 65535, nofile: { soft: 20000, hard: 40000 } });
    expect(web.logging).toEqual({ driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } });
    expect(web.sysctls).toEqual({ 'net.ipv4.ip_forward': '1' });
    expect(web.group_add).toEqual(['audio', '1000']);
    expect(web.cpu_quota).toBe(50000);
    expect(web.extensions).toEqual({ 'x-team': 'core' });
    expect(web['x-team']).toBeUndefined();
  });
});

describe('x-* extensions in the typed model', () => {
  const FILE = `services:
  web:
    image: busybox
    x-svc: 1
    build: {context: ., x-build: b}
    deploy:
      x-deploy: d
      resources: {limits: {cpus: "1", x-lim: l}}
    logging: {driver: local, x-log: g}
    healthcheck: {test: ["CMD", "true"], x-hc: h}
    networks: {front: {x-net: n}}
networks:
  front: {x-top-net: t}
`;

  it('keeps them in extensions fields and prints them where they were', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-ext-'));
    writeFileSync(join(dir, 'compose.yaml'), FILE);
    const p = await loadProject({ cwd: dir, env: {} });
    const web = p.services.web!;
    expect(web.extensions).toEqual({ 'x-svc': 1 });
    expect(web.build!.extensions).toEqual({ 'x-build': 'b' });
    expect(web.deploy!.extensions).toEqual({ 'x-deploy': 'd' });
    expect(web.deploy!.resources!.limits!.extensions).toEqual({ 'x-lim': 'l' });
    expect(web.logging!.extensions).toEqual({ 'x-log': 'g' });
    expect(web.healthcheck!.extensions).toEqual({ 'x-hc': 'h' });
    expect(web.networks!.front!.extensions).toEqual({ 'x-net': 'n' });
    expect(p.networks.front!.extensions).toEqual({ 'x-top-net': 't' });
    const printed = projectToModel(p) as { services: Record<string, Record<string, Record<string, unknown>>>; networks: Record<string, unknown> };
    const out = printed.services.web!;
    expect(out['x-svc']).toBe(1);
    expect(out.extensions).toBeUndefined();
    expect(out.build!['x-build']).toBe('b');
    expect(out.deploy).toEqual({ resources: { limits: { cpus: 1, 'x-lim': 'l' } }, 'x-deploy': 'd' });
    expect(out.logging).toEqual({ driver: 'local', 'x-log': 'g' });
    expect(out.healthcheck!['x-hc']).toBe('h');
    expect(out.networks!.front).toEqual({ 'x-net': 'n' });
    expect(printed.networks.front).toMatchObject({ 'x-top-net': 't' });
    // the model itself is not changed by printing
    expect(web.extensions).toEqual({ 'x-svc': 1 });
    // service-level x-* keys do not count in the config hash; nested ones do, as before
    const { extensions: _x, ...bare } = web;
    expect(serviceHash(bare)).toBe(serviceHash(web));
    expect(serviceHash({ ...web, logging: { driver: 'local' } })).not.toBe(serviceHash(web));
  });
});
