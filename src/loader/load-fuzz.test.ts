/**
 * Fuzzing the loader's entry point, `loadProject` (issue 13 "Bad input"): over 10 000 generated
 * compose documents — structured ones built from the real attribute names, YAML text assembled
 * from tricky fragments (anchors, merge keys, `!reset`, tabs, flow style), and mutations (of the
 * parsed tree and of the text) of real compose files: examples/getting-started, and, where
 * present, the compose files of the conformance set (compose-go's loader cases, docker/compose's
 * e2e fixtures, the Compose spec's examples).
 *
 * Each input either loads or is refused with a CapstanError; anything else thrown (a TypeError
 * from a missed shape, a RangeError from recursion) is a bug. No input may take more than 1 s.
 *
 * Reproducible: the seed is `CAPSTAN_FUZZ_SEED` (an integer), else a fixed default; a failure
 * prints the seed and the shrunk input. Set `CAPSTAN_FUZZ_RUNS` to multiply the number of runs.
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dump } from 'js-yaml';
import { parse as parseYamlText } from 'yaml';
import { CapstanError } from '../errors.js';
import { loadProject } from './index.js';

const SEED = Number.parseInt(process.env.CAPSTAN_FUZZ_SEED ?? '', 10) || 20_261_205;
const SCALE = Math.max(1, Number(process.env.CAPSTAN_FUZZ_RUNS) || 1);
const LIMIT_MS = 1000;
const REPO = join(import.meta.dirname, '..', '..');
const CONFORMANCE = process.env.CAPSTAN_CONFORMANCE_DIR ?? '/work/shared/conformance';

/** A project directory with a few files the inputs may refer to (env files, extends/include targets). */
const dir = mkdtempSync(join(tmpdir(), 'capstan-fuzz-'));
writeFileSync(join(dir, 'a.env'), 'A=1\nB="two"\n');
writeFileSync(join(dir, 'base.yaml'), 'services:\n  base:\n    image: busybox\n    environment: [X=1]\n');
writeFileSync(join(dir, 'secret.txt'), 's');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let slowest = { ms: 0, input: '' };
let loaded = 0;
let refused = 0;

/** CPU milliseconds (user + system, this process) one more load of `text` takes. */
async function cpuTimeOf(text: string): Promise<number> {
  const before = process.cpuUsage();
  await loadProject({ files: ['-'], readStdin: async () => text, cwd: dir, env: {}, projectName: 'fuzz', engineLimits: true, onWarning: () => undefined }).catch(() => undefined);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** Load `text` as the compose file; true when it loaded. Throws when the failure is not a CapstanError or it took too long. */
async function loadText(text: string): Promise<boolean> {
  const start = performance.now();
  let ok = true;
  try {
    await loadProject({
      files: ['-'],
      readStdin: async () => text,
      cwd: dir,
      env: { A: 'a', EMPTY: '', PORT: '8080', HOME: dir },
      projectName: 'fuzz',
      engineLimits: true, // as `up` loads
      onWarning: () => undefined,
    });
  } catch (err) {
    ok = false;
    if (!(err instanceof CapstanError)) {
      throw new Error(`the loader threw a ${(err as Error)?.constructor?.name ?? typeof err}, not a CapstanError: ${String((err as Error)?.stack ?? err)}\n--- input ---\n${text}`);
    }
    // a Capstan error is one readable line, never an internal dump
    expect(err.message.length, err.message).toBeLessThan(2000);
  }
  let ms = performance.now() - start;
  // on a busy machine the wall clock lies: a slow input is timed again, by this process's CPU time
  if (ms > LIMIT_MS) ms = await cpuTimeOf(text);
  if (ms > slowest.ms) slowest = { ms, input: text };
  if (ms > LIMIT_MS) throw new Error(`loading took ${ms.toFixed(0)} ms (limit ${LIMIT_MS} ms)\n--- input ---\n${text}`);
  if (ok) loaded++;
  else refused++;
  return ok;
}

// ───────────────────────── generators ─────────────────────────

const SERVICE_KEYS = [
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'volumes_from',
  'networks', 'network_mode', 'depends_on', 'healthcheck', 'restart', 'deploy', 'labels', 'secrets', 'configs', 'extends',
  'profiles', 'container_name', 'hostname', 'user', 'working_dir', 'mem_limit', 'cpus', 'cpu_shares', 'cpu_period',
  'cpu_quota', 'memswap_limit', 'mem_reservation', 'shm_size', 'ulimits', 'logging', 'devices', 'dns', 'extra_hosts',
  'cap_add', 'cap_drop', 'tmpfs', 'sysctls', 'links', 'scale', 'stop_grace_period', 'stop_signal', 'pull_policy',
  'platform', 'init', 'tty', 'stdin_open', 'read_only', 'privileged', 'security_opt', 'gpus', 'develop', 'post_start',
  'pre_stop', 'attach', 'ipc', 'pid', 'userns_mode', 'x-custom', 'blkio_config', 'annotations', 'label_file', 'models',
];
const SUB_KEYS = [
  'context', 'dockerfile', 'args', 'target', 'test', 'interval', 'timeout', 'retries', 'start_period', 'condition',
  'required', 'restart', 'resources', 'limits', 'reservations', 'memory', 'replicas', 'mode', 'source', 'target',
  'type', 'read_only', 'bind', 'volume', 'published', 'protocol', 'host_ip', 'external', 'name', 'driver', 'driver_opts',
  'aliases', 'ipv4_address', 'file', 'service', 'uid', 'gid', 'path', 'format', 'environment', 'content', 'x-y', '<<',
];
const STRINGS = [
  '', ' ', 'busybox', 'BusyBox:Latest', 'busybox:1.36', 'web', 'db', 'default', '${A}', '${UNSET}', '${A:-x}', '${A?err}',
  '${UNSET:?must}', '$$', '$', '${', '${A', '80', '80:80', '8080-8090:80', '127.0.0.1:80:80/udp', '[::1]:80:80', '65536',
  '-1', '0', '1k', '6m', '1.5g', '10s', '1m30s', '5 sec', 'true', 'no', 'null', '~', 'always', 'on-failure:3',
  'unless-stopped', 'service_healthy', 'service_ready', './data:/data', 'data:/data:ro', '/abs:/x:z', 'data', '.', '..',
  'a.env', 'base.yaml', 'secret.txt', 'missing.yaml', 'service:web', 'container:x', 'host', 'none', 'bridge',
  'CMD', 'CMD-SHELL', 'NONE', 'echo hi', 'A=1', 'A', '=', 'é', '\t', '\n', 'x'.repeat(300), '0o777', '0777', '1000:1000',
];
const key = (pool: string[]) => fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });
const scalar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.integer({ min: -70_000, max: 70_000 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(key(SUB_KEYS), tie('value'), { maxKeys: 4 }) },
  ),
}));
const service = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(key(SERVICE_KEYS), value, { maxKeys: 5 }).map((s) => ({ image: 'busybox', ...s })) },
  { weight: 1, arbitrary: value },
);
const resources = fc.dictionary(key(['default', 'data', 'front', 'back', 'cache']), fc.oneof(fc.constant(null), fc.dictionary(key(SUB_KEYS), value, { maxKeys: 3 })), { maxKeys: 3 });
const document = fc.record(
  {
    name: fc.oneof(fc.constantFrom('app', 'My App', '-x', '${A}'), scalar),
    services: fc.oneof({ weight: 8, arbitrary: fc.dictionary(key(['web', 'db', 'worker', 'base', 'Web', '-x', 'a.b']), service, { maxKeys: 3 }) }, { weight: 1, arbitrary: value }),
    networks: resources,
    volumes: resources,
    secrets: resources,
    configs: resources,
    include: fc.array(fc.oneof(fc.constantFrom('base.yaml', 'missing.yaml'), value), { maxLength: 2 }),
    'x-common': value,
  },
  { requiredKeys: ['services'] },
);

/**
 * Plausible services: each attribute with values of the right shape (short and long syntax,
 * edge values), so that most documents pass the schema and reach normalisation and the
 * consistency checks, where a missed shape would throw something other than a CapstanError.
 */
const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
const small = (arb: fc.Arbitrary<unknown>) => fc.array(arb, { maxLength: 3 });
const PLAUSIBLE: Record<string, fc.Arbitrary<unknown>> = {
  image: pick('busybox', 'busybox:1.36', 'localhost:5000/a/b:c', 'BusyBox:Latest', 'a@sha256:' + 'f'.repeat(64), '${A}:x', ''),
  build: fc.oneof(pick('.', './x', '${A}'), fc.record({ context: pick('.', 'x', 'https://example.com/r.git#main'), dockerfile: pick('Dockerfile', 'x/D'), args: fc.oneof(small(pick('A=1', 'B')), fc.dictionary(pick('A', 'B'), scalar, { maxKeys: 2 })), target: pick('t', '') }, { requiredKeys: [] })),
  command: fc.oneof(pick('echo hi', 'sh -c "a b"', '', "it's", '"unterminated'), small(pick('sh', '-c', 'x', ''))),
  entrypoint: fc.oneof(pick('/bin/sh', ''), small(pick('a', ''))),
  environment: fc.oneof(small(pick('A=1', 'B', 'C=', '=x', 'D=${A}')), fc.dictionary(pick('A', 'B', 'C D', ''), fc.oneof(scalar, fc.constant(null)), { maxKeys: 3 })),
  env_file: fc.oneof(pick('a.env', 'missing.env'), small(fc.oneof(pick('a.env'), fc.record({ path: pick('a.env', 'missing.env'), required: fc.boolean(), format: pick('raw', 'x') }, { requiredKeys: ['path'] })))),
  ports: small(fc.oneof(pick('80', '80:80', '8080-8081:80-81', '127.0.0.1:80:80/udp', '[::1]:80:80', '0:80', '80-79:80', ':80', '65536:80', '1:2:3:4'), fc.integer({ min: -1, max: 70_000 }), fc.record({ target: fc.oneof(fc.integer({ min: 0, max: 70_000 }), pick('80', 'x')), published: fc.oneof(pick('80', '80-81', ''), fc.integer({ min: 0, max: 70_000 })), protocol: pick('tcp', 'udp', 'sctp', 'x'), mode: pick('host', 'ingress', 'x'), host_ip: pick('127.0.0.1', '::1', 'x') }, { requiredKeys: [] }))),
  expose: small(fc.oneof(pick('80', '80-81', '80/udp', 'x'), fc.integer({ min: 0, max: 70_000 }))),
  volumes: small(fc.oneof(pick('data:/data', './x:/x:ro', '/abs:/abs:rw,z', 'data', '/only', 'a:b:c:d', ':/x', 'data:/data:nocopy', '~/x:/x', '${A}:/a'), fc.record({ type: pick('volume', 'bind', 'tmpfs', 'image', 'npipe', 'cluster'), source: pick('data', './x', '', 'busybox'), target: pick('/x', '', 'rel'), read_only: fc.boolean(), bind: fc.record({ create_host_path: fc.boolean(), propagation: pick('rprivate', 'x'), selinux: pick('z', 'Z', 'x') }, { requiredKeys: [] }), volume: fc.record({ nocopy: fc.boolean(), subpath: pick('a', '../x') }, { requiredKeys: [] }), tmpfs: fc.record({ size: fc.oneof(pick('1m', '-1', 'x'), fc.integer({ min: -1, max: 1e9 })), mode: fc.oneof(pick('1777', '0o777', 'x'), fc.integer()) }, { requiredKeys: [] }) }, { requiredKeys: ['type'] }))),
  networks: fc.oneof(small(pick('default', 'front', 'missing')), fc.dictionary(pick('default', 'front', 'missing'), fc.oneof(fc.constant(null), fc.record({ aliases: small(pick('a', '')), ipv4_address: pick('10.0.0.2', 'x'), priority: fc.integer() }, { requiredKeys: [] })), { maxKeys: 2 })),
  network_mode: pick('none', 'host', 'bridge', 'service:db', 'service:missing', 'container:x', 'x'),
  depends_on: fc.oneof(small(pick('db', 'web', 'missing')), fc.dictionary(pick('db', 'web', 'missing'), fc.record({ condition: pick('service_started', 'service_healthy', 'service_completed_successfully', 'service_ready'), required: fc.boolean(), restart: fc.boolean() }, { requiredKeys: [] }), { maxKeys: 2 })),
  healthcheck: fc.record({ test: fc.oneof(pick('curl x', 'NONE', ''), small(pick('CMD', 'CMD-SHELL', 'NONE', 'x'))), interval: pick('1s', '1m30s', '0s', '-1s', 'x', '1h2m3s4ms5us6ns'), timeout: pick('1s', 'x'), retries: fc.oneof(fc.integer({ min: -2, max: 5 }), pick('3', 'x')), start_period: pick('1s'), disable: fc.boolean() }, { requiredKeys: [] }),
  restart: pick('no', 'always', 'on-failure', 'on-failure:3', 'on-failure:x', 'unless-stopped', 'sometimes'),
  deploy: fc.record({ replicas: fc.oneof(fc.integer({ min: -1, max: 3 }), pick('2', 'x')), mode: pick('replicated', 'global', 'x'), resources: fc.record({ limits: fc.record({ cpus: fc.oneof(pick('0.5', '-1', 'x'), fc.double({ min: -2, max: 4, noNaN: true })), memory: pick('64m', '1k', 'x', '0'), pids: fc.integer({ min: -1, max: 10 }) }, { requiredKeys: [] }), reservations: fc.record({ memory: pick('1m', '128m'), devices: small(fc.record({ capabilities: small(pick('gpu')), count: fc.oneof(pick('all', 'x'), fc.integer({ min: -1, max: 2 })), device_ids: small(pick('0')) }, { requiredKeys: [] })) }, { requiredKeys: [] }) }, { requiredKeys: [] }), restart_policy: fc.record({ condition: pick('any', 'on-failure', 'none', 'x'), max_attempts: fc.integer({ min: -1, max: 3 }) }, { requiredKeys: [] }) }, { requiredKeys: [] }),
  secrets: small(fc.oneof(pick('s', 'missing'), fc.record({ source: pick('s', 'missing'), target: pick('t', '/abs', '../x'), uid: pick('0', 'x'), mode: fc.oneof(pick('0400', 'x'), fc.integer({ min: -1, max: 0o7777 })) }, { requiredKeys: ['source'] }))),
  configs: small(fc.oneof(pick('c', 'missing'), fc.record({ source: pick('c', 'missing'), target: pick('/c', '') }, { requiredKeys: ['source'] }))),
  extends: fc.oneof(pick('db', 'web', 'missing'), fc.record({ service: pick('db', 'base', 'missing', ''), file: pick('base.yaml', 'missing.yaml') }, { requiredKeys: [] })),
  profiles: small(pick('debug', '', '-x')),
  container_name: pick('c1', 'a b', '-x', ''),
  mem_limit: fc.oneof(pick('1k', '6m', '1g', 'x', '-1'), fc.integer({ min: -1, max: 1e10 })),
  memswap_limit: fc.oneof(pick('-1', '1g'), fc.integer({ min: -1, max: 1e10 })),
  cpus: fc.oneof(pick('0.5', '-1', 'x'), fc.double({ min: -2, max: 64, noNaN: true })),
  cpu_period: fc.integer({ min: -1, max: 2_000_000 }),
  cpu_quota: fc.integer({ min: -1, max: 2_000_000 }),
  shm_size: pick('64m', 'x', '1.5g'),
  ulimits: fc.dictionary(pick('nofile', 'nproc', 'x'), fc.oneof(fc.integer({ min: -1, max: 70_000 }), pick('x'), fc.record({ soft: fc.integer({ min: -1, max: 10 }), hard: fc.integer({ min: -1, max: 10 }) }, { requiredKeys: [] })), { maxKeys: 2 }),
  logging: fc.record({ driver: pick('json-file', 'none', ''), options: fc.dictionary(pick('max-size', 'x'), scalar, { maxKeys: 2 }) }, { requiredKeys: [] }),
  extra_hosts: fc.oneof(small(pick('a:1.2.3.4', 'a=1.2.3.4', 'a', 'a:::1')), fc.dictionary(pick('a', 'b'), fc.oneof(pick('1.2.3.4', '::1'), small(pick('1.2.3.4'))), { maxKeys: 2 })),
  tmpfs: fc.oneof(pick('/t', '/t:size=1m', ''), small(pick('/t', 'rel'))),
  sysctls: fc.oneof(small(pick('a.b=1', 'x')), fc.dictionary(pick('a.b'), scalar, { maxKeys: 2 })),
  labels: fc.oneof(small(pick('a=1', 'b')), fc.dictionary(pick('a', 'b'), scalar, { maxKeys: 2 })),
  devices: small(pick('/dev/x', '/dev/x:/dev/y:rwm', 'x:y:z:w')),
  gpus: fc.oneof(pick('all'), small(fc.record({ count: fc.integer({ min: -1, max: 2 }) }, { requiredKeys: [] }))),
  stop_grace_period: pick('1s', '0', 'x'),
  pull_policy: pick('always', 'never', 'missing', 'build', 'if_not_present', 'daily', 'every_2h', 'sometimes'),
  scale: fc.oneof(fc.integer({ min: -1, max: 3 }), pick('2', 'x')),
  develop: fc.record({ watch: small(fc.record({ path: pick('.', './x'), action: pick('sync', 'rebuild', 'restart', 'sync+restart', 'sync+exec', 'x'), target: pick('/x', ''), ignore: small(pick('*.md')) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
  post_start: small(fc.record({ command: fc.oneof(pick('echo x'), small(pick('echo', 'x'))), user: pick('root'), privileged: fc.boolean() }, { requiredKeys: [] })),
  user: pick('1000', '1000:1000', 'root', ''),
  init: fc.boolean(),
  'x-ext': value,
};
const plausibleService = fc
  .subarray(Object.keys(PLAUSIBLE), { maxLength: 6 })
  .chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, PLAUSIBLE[k]!]))));
const plausibleResource = (extra: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(fc.constant(null), fc.record({ name: pick('n', '${A}_x', ''), external: fc.boolean(), labels: fc.oneof(small(pick('a=1')), fc.dictionary(pick('a'), scalar, { maxKeys: 1 })), ...extra }, { requiredKeys: [] }));
const plausibleDocument = fc.record(
  {
    name: pick('app', 'My App', '${A}'),
    services: fc.record({ web: plausibleService.map((s) => ({ image: 'busybox', ...s })), db: plausibleService, base: fc.constant({ image: 'busybox' }) }, { requiredKeys: ['web'] }),
    networks: fc.record({ default: plausibleResource({ driver: pick('bridge', 'overlay', 'x'), ipam: fc.record({ config: small(fc.record({ subnet: pick('10.0.0.0/24', 'x'), gateway: pick('10.0.0.1') }, { requiredKeys: [] })) }, { requiredKeys: [] }), enable_ipv6: fc.boolean() }), front: plausibleResource({}) }, { requiredKeys: [] }),
    volumes: fc.record({ data: plausibleResource({ driver: pick('local', 'x'), driver_opts: fc.dictionary(pick('type', 'o'), scalar, { maxKeys: 2 }) }) }, { requiredKeys: [] }),
    secrets: fc.record({ s: fc.oneof(fc.constant(null), fc.record({ file: pick('secret.txt', 'missing'), environment: pick('A', 'UNSET'), external: fc.boolean(), name: pick('n') }, { requiredKeys: [] })) }, { requiredKeys: [] }),
    configs: fc.record({ c: fc.oneof(fc.constant(null), fc.record({ content: pick('x', '${A}'), file: pick('secret.txt'), environment: pick('A') }, { requiredKeys: [] })) }, { requiredKeys: [] }),
    include: small(pick('base.yaml', 'missing.yaml')),
  },
  { requiredKeys: ['services'] },
);

const FRAGMENTS = [
  'services:\n', '  web:\n', '    image: busybox\n', '  db: &db\n', '    <<: *db\n', '    <<: [*db]\n', '    image: !reset null\n',
  '    ports: !override ["80:80"]\n', '    environment:\n      - A=${A}\n', '    depends_on: [db]\n', '    depends_on:\n      db:\n        condition: service_healthy\n',
  '    extends: db\n', '    extends:\n      file: base.yaml\n      service: base\n', '    build: .\n', '    volumes: [data:/data]\n', 'volumes:\n  data:\n',
  'networks:\n  default:\n    name: x\n', '\t', '---\n', '...\n', '{', '}', '[', ']', ': ', '- ', '"', "'", '#', '&a ', '*a ', '*undefined ', '!!binary ', '? ', '|\n', '>-\n',
  'include: [base.yaml]\n', 'x-a: &x {a: 1}\n', 'services: {web: {image: busybox, <<: *x}}\n', '%YAML 1.2\n', '\uFEFF', 'services: null\n', 'services: []\n',
];
const yamlText = fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 14 }).map((parts) => parts.join(''));

/** The files the mutations start from: the example, and the conformance set's compose files when present. */
function seedFiles(): string[] {
  const out = [readFileSync(join(REPO, 'examples', 'getting-started', 'compose.yaml'), 'utf8')];
  const walk = (d: string, depth: number): void => {
    if (depth > 8 || out.length > 700) return;
    let entries: string[] = [];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries.sort()) {
      const p = join(d, e);
      if (/\.ya?ml$/.test(e) && !e.startsWith('expected')) {
        const text = readFileSync(p, 'utf8');
        if (text.length < 20_000) out.push(text);
      } else if (!e.includes('.') && statSync(p).isDirectory()) walk(p, depth + 1);
    }
  };
  // compose-go's loader cases, docker/compose's e2e fixtures, the spec's examples
  for (const sub of ['loader_cases', 'e2e_fixtures', 'spec_examples']) walk(join(CONFORMANCE, sub), 0);
  return out;
}
const SEEDS = seedFiles();
const seedTrees = SEEDS.map((t) => {
  try {
    // plain JSON data only: a file whose aliases make a cycle (or a huge expansion) is not a seed
    const json = JSON.stringify(parseYamlText(t, { logLevel: 'silent', maxAliasCount: 100 }));
    return json.length < 100_000 ? (JSON.parse(json) as unknown) : undefined;
  } catch {
    return undefined;
  }
}).filter((t) => t && typeof t === 'object');

/** One tree mutation: which node (an index into the walk order), what to do, and a new value. */
const mutation = fc.record({ at: fc.nat(), op: fc.constantFrom('delete', 'replace', 'wrap', 'stringify', 'null', 'duplicate'), with: value });
type Mutation = { at: number; op: string; with: unknown };

/** Applies `m` to a deep copy of `tree` (JSON-like data). */
function mutate(tree: unknown, mutations: Mutation[]): unknown {
  const root = { root: structuredClone(tree) } as Record<string, unknown>;
  for (const m of mutations) {
    const slots: [Record<string, unknown> | unknown[], string | number][] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach((v, i) => (slots.push([node, i]), walk(v)));
      else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) (slots.push([node as Record<string, unknown>, k]), walk(v));
    };
    walk(root);
    if (!slots.length) break;
    const [parent, k] = slots[m.at % slots.length]!;
    const p = parent as Record<string | number, unknown>;
    switch (m.op) {
      case 'delete':
        if (Array.isArray(parent)) parent.splice(k as number, 1);
        else delete p[k];
        break;
      case 'replace':
        p[k] = m.with;
        break;
      case 'wrap':
        p[k] = [p[k]];
        break;
      case 'stringify':
        p[k] = typeof p[k] === 'object' ? JSON.stringify(p[k]) : String(p[k]);
        break;
      case 'null':
        p[k] = null;
        break;
      case 'duplicate':
        if (Array.isArray(parent)) parent.push(structuredClone(parent[k as number]));
        else p[`${k}_copy`] = structuredClone(p[k]);
        break;
    }
  }
  return root.root;
}

/** Text edits: insert, delete, truncate, re-indent, duplicate a line. */
const textEdit = fc.record({ at: fc.nat(), len: fc.nat({ max: 8 }), op: fc.constantFrom('insert', 'delete', 'truncate', 'indent', 'dupline'), text: fc.constantFrom(' ', '\t', ':', '-', '{', '[', '"', '&x', '*x', '${', '\n', 'é', '  ', '!reset ', '<<: ') });
function editText(text: string, edits: { at: number; len: number; op: string; text: string }[]): string {
  let t = text;
  for (const e of edits) {
    const at = t.length ? e.at % t.length : 0;
    if (e.op === 'insert') t = t.slice(0, at) + e.text + t.slice(at);
    else if (e.op === 'delete') t = t.slice(0, at) + t.slice(at + e.len);
    else if (e.op === 'truncate') t = t.slice(0, at);
    else {
      const lines = t.split('\n');
      const i = e.at % lines.length;
      if (e.op === 'indent') lines[i] = ' '.repeat(e.len) + lines[i];
      else lines.splice(i, 0, lines[i]!);
      t = lines.join('\n');
    }
  }
  return t;
}

const toYaml = (doc: unknown): string => {
  try {
    return dump(doc, { noRefs: true, skipInvalid: true });
  } catch {
    return JSON.stringify(doc) ?? '';
  }
};

const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: numRuns * SCALE, endOnFailure: false });

describe(`fuzz: loadProject (seed ${SEED})`, () => {
  it('structured documents: loads or a CapstanError', async () => {
    await fc.assert(fc.asyncProperty(document, async (doc) => void (await loadText(toYaml(doc)))), params(1500));
  }, 60_000);

  it('plausible documents (right shapes, edge values): loads or a CapstanError', async () => {
    await fc.assert(fc.asyncProperty(plausibleDocument, async (doc) => void (await loadText(toYaml(doc)))), params(2500));
  }, 60_000);

  it('the same documents written as JSON (flow style)', async () => {
    await fc.assert(fc.asyncProperty(document, async (doc) => void (await loadText(JSON.stringify(doc)))), params(1000));
  }, 60_000);

  it('YAML text from tricky fragments (anchors, merge keys, !reset, tabs, directives)', async () => {
    await fc.assert(fc.asyncProperty(yamlText, async (text) => void (await loadText(text))), params(1500));
  }, 60_000);

  it(`mutated trees of ${seedTrees.length} real compose files`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (i, ms) => void (await loadText(toYaml(mutate(seedTrees[i % seedTrees.length], ms))))),
      params(2500),
    );
  }, 60_000);

  it(`mutated text of ${SEEDS.length} real compose files`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(textEdit, { minLength: 1, maxLength: 4 }), async (i, edits) => void (await loadText(editText(SEEDS[i % SEEDS.length]!, edits)))),
      params(1000),
    );
  }, 60_000);

  it('ran ≥ 10 000 inputs, some loading and some refused, none slower than 1 s', () => {
    expect(loaded + refused).toBeGreaterThanOrEqual(10_000);
    expect(loaded).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
    expect(slowest.ms).toBeLessThan(LIMIT_MS);
        console.log(`fuzz: ${loaded + refused} inputs (${loaded} loaded, ${refused} refused), slowest ${slowest.ms.toFixed(1)} ms, seed ${SEED}`);
  });
});
