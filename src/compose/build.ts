import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CapstanError } from '../errors.js';
import type { Project, ServiceConfig } from '../model/types.js';
import type { Engine, ProgressMessage } from '../engine/types.js';
import { Label, COMPOSE_VERSION_LABEL } from './labels.js';
import { serviceImage } from './naming.js';
import { tarOf } from './secrets.js';
import {
  BUILD_DIGEST_LABEL,
  BUILD_PARTS_LABEL,
  cacheDir,
  digestInputs,
  partsLabel,
  saveManifest,
  walkContext,
  staleReason,
  type BuildInputs,
} from './build-inputs.js';

/**
 * Image builds with the engine's classic builder (`POST /build`, a tar of the context), as
 * docker compose does when buildx is absent (compose `build_classic.go`). The context honours
 * `.dockerignore` with Docker's matching rules (@balena/dockerignore, walked by
 * {@link walkContext}); the Dockerfile and `.dockerignore` are always sent. A git or tarball URL
 * context is handed to the engine (`remote=`). What only BuildKit can do (`secrets`, `ssh`,
 * `additional_contexts`, `cache_to`, several `platforms`, …) goes to `docker buildx bake` when
 * the buildx plugin is installed, and is otherwise an error naming the attribute and service.
 */

/** Everything one build needs, resolved from the service's `build:` section. Pure data. */
export interface BuildRequest {
  service: string;
  /** Absolute context directory, or the URL of a remote (git / tarball) context. */
  context: string;
  /** True when `context` is a URL the engine fetches itself. */
  remote?: boolean;
  /** Dockerfile path relative to the context (`Dockerfile` by default). */
  dockerfile: string;
  /** Absolute path of a Dockerfile outside the context (sent in the tar as `dockerfile`). */
  dockerfileOutside?: string;
  dockerfileInline?: string;
  tags: string[];
  args: Record<string, string>;
  labels: Record<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  network?: string;
  /** `shm_size`, bytes. */
  shmSize?: number;
  /** `host:ip` entries (the engine's form). */
  extraHosts?: string[];
  cacheFrom?: string[];
  /** The single `platforms` entry (or the service's `platform`). */
  platform?: string;
  isolation?: string;
  ulimits?: Array<{ Name: string; Soft: number; Hard: number }>;
  /** `build -m`: memory limit of the build containers, bytes. */
  memory?: number;
  /** `build:` attributes only BuildKit implements, as `build.<key>` (empty: the classic builder does it all). */
  buildkitOnly?: string[];
  /** The buildx bake target of this build (used for `--print` and the buildx delegation). */
  bake?: BakeTarget;
}

/** Per-run overrides of `build:` (the `build` command's flags). */
export interface BuildOverrides {
  noCache?: boolean;
  pull?: boolean;
  /** `--build-arg K=V` (or `K`, taken from the environment). */
  buildArgs?: Record<string, string | null>;
  /** `-m`, bytes. */
  memory?: number;
}

/** One target of a buildx bake file (the JSON docker compose hands to `docker buildx bake`). */
export interface BakeTarget {
  context: string;
  contexts?: Record<string, string>;
  dockerfile?: string;
  'dockerfile-inline'?: string;
  args?: Record<string, string>;
  labels?: Record<string, string>;
  tags?: string[];
  'cache-from'?: string[];
  'cache-to'?: string[];
  target?: string;
  secret?: string[];
  ssh?: string[];
  platforms?: string[];
  pull?: boolean;
  'no-cache'?: boolean;
  network?: string;
  'no-cache-filter'?: string[];
  'shm-size'?: number;
  ulimits?: string[];
  entitlements?: string[];
  'extra-hosts'?: Record<string, string>;
  output?: string[];
  attest?: string[];
}

/** A buildx bake file: the `default` group and one target per service (dots become `_`). */
export interface BakeFile {
  group: Record<string, { targets: string[] }>;
  target: Record<string, BakeTarget>;
}

const REMOTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** True for a context docker hands to the engine: `https://…`, `git://…`, `git@…`, `github.com/…`. */
export function isRemoteContext(context: string): boolean {
  return REMOTE.test(context) || context.startsWith('git@') || context.startsWith('github.com/');
}

/**
 * Resolve a service's `build:` into a {@link BuildRequest}. Value-less `args` (and `--build-arg`s)
 * take their value from the project's environment, and are left out when it has none (compose).
 * @throws CapstanError VALIDATION when the service has no `build:`
 */
export function buildRequest(project: Project, service: ServiceConfig, overrides: BuildOverrides = {}): BuildRequest {
  const build = service.build;
  if (!build) throw new CapstanError('VALIDATION', `service "${service.name}" has no build section`);
  const remote = isRemoteContext(build.context ?? '.');
  const context = remote ? build.context : resolve(project.workingDir, build.context ?? '.');
  const args: Record<string, string> = {};
  const env = project.environment ?? {};
  for (const [k, v] of Object.entries({ ...(build.args ?? {}), ...(overrides.buildArgs ?? {}) })) {
    if (v !== null && v !== undefined) args[k] = String(v);
    else if (env[k] !== undefined) args[k] = env[k]!;
    else delete args[k];
  }
  let dockerfile = build.dockerfile_inline ? '.capstan.Dockerfile' : (build.dockerfile ?? 'Dockerfile');
  let dockerfileOutside: string | undefined;
  if (!remote && !build.dockerfile_inline) {
    const abs = resolve(context, dockerfile);
    const rel = relative(context, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      dockerfileOutside = abs;
      dockerfile = '.capstan.Dockerfile';
    } else dockerfile = rel.split(sep).join('/');
  }
  const platforms = build.platforms ?? [];
  const buildkitOnly = [
    build.secrets?.length ? 'build.secrets' : '',
    build.ssh?.length ? 'build.ssh' : '',
    Object.keys(build.additional_contexts ?? {}).length ? 'build.additional_contexts' : '',
    build.cache_to?.length ? 'build.cache_to' : '',
    platforms.length > 1 ? 'build.platforms (several platforms)' : '',
    build.no_cache_filter?.length ? 'build.no_cache_filter' : '',
    build.entitlements?.length ? 'build.entitlements' : '',
    build.privileged ? 'build.privileged' : '',
    build.provenance && build.provenance !== 'false' ? 'build.provenance' : '',
    build.sbom && build.sbom !== 'false' ? 'build.sbom' : '',
  ].filter(Boolean);
  const labels = {
    ...(build.labels ?? {}),
    [Label.project]: project.name,
    [Label.service]: service.name,
    [Label.version]: COMPOSE_VERSION_LABEL,
    'com.docker.compose.image.builder': 'classic',
  };
  const image = serviceImage(project.name, service);
  const tags = [image, ...(build.tags ?? []).filter((t) => t !== image)];
  const ulimits = Object.entries(build.ulimits ?? {}).map(([name, u]) =>
    typeof u === 'number' ? { Name: name, Soft: u, Hard: u } : { Name: name, Soft: u.soft, Hard: u.hard },
  );
  const extraHosts = (build.extra_hosts ?? []).map((h) => h.replace('=', ':'));
  const noCache = overrides.noCache || build.no_cache || undefined;
  const pull = overrides.pull || build.pull || undefined;
  const bake: BakeTarget = stripEmpty({
    context,
    contexts: build.additional_contexts,
    dockerfile: build.dockerfile_inline ? undefined : (dockerfileOutside ?? build.dockerfile ?? 'Dockerfile'),
    'dockerfile-inline': build.dockerfile_inline,
    args,
    labels,
    tags,
    'cache-from': build.cache_from,
    'cache-to': build.cache_to,
    target: build.target,
    secret: build.secrets?.map((s) => {
      const def = project.secrets?.[s.source];
      const id = `id=${s.target ?? s.source}`;
      if (def?.file) return `${id},type=file,src=${def.file}`;
      if (def?.environment) return `${id},type=env,env=${def.environment}`;
      return id;
    }),
    ssh: build.ssh,
    platforms: platforms.length ? platforms : undefined,
    pull,
    'no-cache': noCache,
    network: build.network,
    'no-cache-filter': build.no_cache_filter,
    'shm-size': build.shm_size,
    ulimits: ulimits.map((u) => `${u.Name}=${u.Soft}:${u.Hard}`),
    entitlements: build.entitlements,
    // a host with several addresses: one entry, the addresses joined by ',' (as compose)
    'extra-hosts': extraHosts.reduce<Record<string, string>>((hosts, h) => {
      const name = h.slice(0, h.indexOf(':'));
      const ip = h.slice(h.indexOf(':') + 1);
      hosts[name] = hosts[name] === undefined ? ip : `${hosts[name]},${ip}`;
      return hosts;
    }, {}),
    // the docker exporter cannot load a multi-platform image (compose's bakeOutputs)
    output: platforms.length > 1 ? ['type=image,push=false'] : ['type=docker'],
  });
  return stripUndefined({
    service: service.name,
    context,
    remote: remote || undefined,
    dockerfile,
    dockerfileOutside,
    dockerfileInline: build.dockerfile_inline,
    tags,
    args,
    labels,
    target: build.target,
    noCache,
    pull,
    network: build.network,
    shmSize: build.shm_size,
    extraHosts: extraHosts.length ? extraHosts : undefined,
    cacheFrom: build.cache_from?.length ? build.cache_from : undefined,
    platform: platforms.length === 1 ? platforms[0] : platforms.length === 0 ? service.platform : undefined,
    isolation: build.isolation,
    ulimits: ulimits.length ? ulimits : undefined,
    memory: overrides.memory,
    buildkitOnly,
    bake,
  });
}

/**
 * The bake file of `requests` (compose's `build --print`): target names are service names with
 * `.` replaced by `_` (made unique with trailing `_`), all in the `default` group.
 */
export function bakeFile(requests: BuildRequest[]): BakeFile {
  const used = new Set<string>();
  const file: BakeFile = { group: { default: { targets: [] } }, target: {} };
  for (const r of [...requests].sort((a, b) => (a.service < b.service ? -1 : 1))) {
    let name = r.service.replace(/\./g, '_');
    while (used.has(name)) name += '_';
    used.add(name);
    file.target[name] = r.bake ?? { context: r.context };
    file.group.default!.targets.push(name);
  }
  return file;
}

/** The directories docker looks in for CLI plugins (`docker-buildx`), user's first. */
export function pluginDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const config = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  return [
    join(config, 'cli-plugins'),
    '/usr/local/lib/docker/cli-plugins',
    '/usr/local/libexec/docker/cli-plugins',
    '/usr/lib/docker/cli-plugins',
    '/usr/libexec/docker/cli-plugins',
  ];
}

/** Path of the `docker-buildx` CLI plugin, or `undefined` when it is not installed. */
export function findBuildx(dirs: string[] = pluginDirs()): string | undefined {
  return dirs.map((d) => join(d, 'docker-buildx')).find((p) => existsSync(p));
}

/**
 * The inputs of a local build: the context entries sent (after `.dockerignore`) and the digest
 * of everything that shapes the image (the {@link BUILD_DIGEST_LABEL} value).
 * @throws CapstanError NOT_FOUND when the context or Dockerfile is missing
 */
export async function buildInputs(request: BuildRequest, cache: string | null = cacheDir()): Promise<BuildInputs> {
  const info = await stat(request.context).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new CapstanError('NOT_FOUND', `service "${request.service}": build context ${request.context} is not a directory`);
  }
  let dockerfileText = request.dockerfileInline;
  if (dockerfileText === undefined) {
    const path = request.dockerfileOutside ?? join(request.context, request.dockerfile);
    dockerfileText = await readFile(path, 'utf8').catch(() => undefined);
    if (dockerfileText === undefined) throw new CapstanError('NOT_FOUND', `service "${request.service}": Dockerfile ${path} not found`);
  }
  const entries = await walkContext({ context: request.context, dockerfile: request.dockerfile, cache });
  return { ...digestInputs(entries, `${request.dockerfile}\n${dockerfileText}`, digestOptions(request)), dockerfile: request.dockerfile };
}

/**
 * The images of `services` (those with a local `build:`) that exist but whose build inputs
 * changed since they were built: image reference → reason (`build context changed: app.py`).
 * An image without the {@link BUILD_DIGEST_LABEL} (built by another tool), a remote context, or a
 * context that cannot be read is never stale. One `GET /images/{name}/json` per image, and one
 * walk of each context (stat-cached, see build-inputs.ts).
 */
export async function staleImages(engine: Engine, project: Project, services: ServiceConfig[], cache: string | null = cacheDir()): Promise<Map<string, string>> {
  const byImage = new Map<string, ServiceConfig>();
  for (const s of services) if (s.build && !isRemoteContext(s.build.context ?? '.')) byImage.set(serviceImage(project.name, s), s);
  const found = await Promise.all(
    [...byImage].map(async ([image, service]) => {
      const labels = (await engine.inspectImage(image))?.Config?.Labels ?? undefined;
      if (!labels?.[BUILD_DIGEST_LABEL]) return undefined;
      try {
        const request = buildRequest(project, service);
        if (request.buildkitOnly?.length) return undefined; // built by buildx: no digest of ours to compare with
        const reason = staleReason(labels, await buildInputs(request, cache), cache);
        return reason ? ([image, reason] as const) : undefined;
      } catch {
        return undefined; // the build would fail the same way: leave the image as it is
      }
    }),
  );
  return new Map(found.filter((f) => f !== undefined));
}

/** The options that go into the digest: what changes the image, not how it is built. */
function digestOptions(r: BuildRequest): Record<string, unknown> {
  const { [Label.version]: _v, ...labels } = r.labels;
  return {
    args: r.args,
    target: r.target,
    labels,
    network: r.network,
    shmSize: r.shmSize,
    extraHosts: r.extraHosts,
    platform: r.platform,
    isolation: r.isolation,
    ulimits: r.ulimits,
  };
}

/**
 * Build one image: pack the context, `POST /build`, pass each progress message to `onProgress`.
 * A local context's image carries the digest of its inputs ({@link BUILD_DIGEST_LABEL}).
 * @returns the ID of the built image.
 * @throws CapstanError NOT_FOUND when the context or Dockerfile is missing; CapstanError
 *   UNSUPPORTED naming the attribute and service when it needs BuildKit and buildx is absent;
 *   EngineError on a build failure (with the daemon's message, e.g. the failing RUN step's error).
 */
export async function runBuild(
  engine: Engine,
  request: BuildRequest,
  onProgress: (message: ProgressMessage) => void,
  signal?: AbortSignal,
): Promise<string> {
  if (request.buildkitOnly?.length) {
    const buildx = findBuildx();
    if (!buildx) {
      throw new CapstanError(
        'UNSUPPORTED',
        `service "${request.service}": ${request.buildkitOnly.join(', ')} needs BuildKit, and the docker buildx plugin is not installed (Capstan's classic builder cannot do it)`,
        { hint: 'install docker-buildx (Capstan then delegates to `docker buildx bake`), or remove the attribute' },
      );
    }
    await runBake(buildx, request, onProgress, signal);
    return (await engine.inspectImage(request.tags[0]!))?.Id ?? '';
  }
  let tar: Buffer;
  let labels = request.labels;
  let inputs: BuildInputs | undefined;
  if (request.remote) tar = Buffer.alloc(0);
  else {
    inputs = await buildInputs(request);
    labels = { ...labels, [BUILD_DIGEST_LABEL]: inputs.digest, [BUILD_PARTS_LABEL]: partsLabel(inputs.parts) };
    tar = await packEntries(request, inputs);
  }
  let imageId = '';
  for await (const message of engine.build(tar, {
    dockerfile: request.dockerfile,
    tags: request.tags,
    buildargs: request.args,
    labels,
    target: request.target,
    nocache: request.noCache,
    pull: request.pull,
    networkmode: request.network,
    shmsize: request.shmSize,
    extrahosts: request.extraHosts,
    cachefrom: request.cacheFrom,
    platform: request.platform,
    isolation: request.isolation,
    ulimits: request.ulimits,
    memory: request.memory,
    remote: request.remote ? request.context : undefined,
    signal,
  })) {
    if (message.aux?.ID) imageId = message.aux.ID;
    onProgress(message);
  }
  if (inputs) saveManifest(cacheDir(), inputs);
  if (!imageId) {
    const inspected = await engine.inspectImage(request.tags[0]!);
    imageId = inspected?.Id ?? '';
  }
  return imageId;
}

/** `docker buildx bake --file <bake.json> --load`, its output passed on as `stream` messages. */
async function runBake(buildx: string, request: BuildRequest, onProgress: (m: ProgressMessage) => void, signal?: AbortSignal): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-bake-'));
  try {
    const file = join(dir, 'bake.json');
    await writeFile(file, JSON.stringify(bakeFile([request]), null, 2));
    await new Promise<void>((done, fail) => {
      const child = spawn(buildx, ['buildx', 'bake', '--file', file, '--progress', 'plain'], { stdio: ['ignore', 'pipe', 'pipe'], signal });
      const lines: string[] = [];
      const forward = (d: Buffer): void => {
        const text = d.toString();
        lines.push(...text.split('\n').filter(Boolean));
        onProgress({ stream: text });
      };
      child.stdout.on('data', forward);
      child.stderr.on('data', forward);
      child.on('error', fail);
      child.on('close', (code) =>
        code === 0 ? done() : fail(new CapstanError('ENGINE', `service "${request.service}": docker buildx bake failed: ${lines.slice(-3).join(' | ') || `exit ${code}`}`)),
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The build context as a tar buffer, filtered by `.dockerignore` (walks the context again). */
export async function packContext(request: BuildRequest): Promise<Buffer> {
  return packEntries(request, await buildInputs(request, null));
}

/** The tar of the walked entries, plus an inline or out-of-context Dockerfile. */
async function packEntries(request: BuildRequest, inputs: BuildInputs): Promise<Buffer> {
  const { create: createTar } = await import('tar'); // loaded here only: a command that builds nothing does without it
  const chunks: Buffer[] = [];
  const paths = inputs.entries.map((e) => e.path);
  if (paths.length) {
    const stream = createTar({ cwd: request.context, portable: true, follow: false, noDirRecurse: true }, paths);
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  }
  let tar: Buffer = chunks.length ? Buffer.concat(chunks) : Buffer.alloc(1024);
  if (request.dockerfileInline !== undefined) tar = appendFile(tar, request.dockerfile, request.dockerfileInline);
  else if (request.dockerfileOutside) tar = appendFile(tar, request.dockerfile, await readFile(request.dockerfileOutside, 'utf8'));
  return tar;
}

/** Append one regular file (mode 0644, root-owned) to a tar archive, before its end blocks. */
function appendFile(tar: Buffer, name: string, content: string): Buffer {
  let end = tar.length;
  while (end >= 512 && tar.subarray(end - 512, end).every((b) => b === 0)) end -= 512;
  return Buffer.concat([tar.subarray(0, end), tarOf([{ path: name, content, uid: 0, gid: 0, mode: 0o644 }])]);
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Drops undefined values, empty arrays and empty objects (bake's `omitempty`). */
function stripEmpty<T extends object>(o: T): T {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== false && !(Array.isArray(v) && !v.length) && !(v && typeof v === 'object' && !Object.keys(v).length)),
  ) as T;
}
