import { readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { CapstanError } from '../errors.js';
import type { Project, ServiceConfig } from '../model/types.js';
import type { Engine, ProgressMessage } from '../engine/types.js';
import { Label, COMPOSE_VERSION_LABEL } from './labels.js';
import { serviceImage } from './naming.js';
import { tarOf } from './secrets.js';

/**
 * Image builds with the engine's classic builder (`POST /build`, a tar of the context), as
 * docker compose does when buildx is absent (compose `build_classic.go`). The context honours
 * `.dockerignore` with Docker's matching rules (@balena/dockerignore); the Dockerfile and
 * `.dockerignore` are always sent.
 */

/** Everything one build needs, resolved from the service's `build:` section. Pure data. */
export interface BuildRequest {
  service: string;
  /** Absolute context directory. */
  context: string;
  /** Dockerfile path relative to the context (`Dockerfile` by default). */
  dockerfile: string;
  dockerfileInline?: string;
  tags: string[];
  args: Record<string, string>;
  labels: Record<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  network?: string;
}

/** Resolve a service's `build:` into a {@link BuildRequest}. */
export function buildRequest(project: Project, service: ServiceConfig): BuildRequest {
  const build = service.build;
  if (!build) throw new CapstanError('VALIDATION', `service "${service.name}" has no build section`);
  const context = resolve(project.workingDir, build.context ?? '.');
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(build.args ?? {})) if (v !== null && v !== undefined) args[k] = String(v);
  return {
    service: service.name,
    context,
    dockerfile: build.dockerfile_inline ? '.capstan.Dockerfile' : (build.dockerfile ?? 'Dockerfile'),
    dockerfileInline: build.dockerfile_inline,
    tags: [serviceImage(project.name, service), ...(build.tags ?? [])],
    args,
    labels: {
      ...(build.labels ?? {}),
      [Label.project]: project.name,
      [Label.service]: service.name,
      [Label.version]: COMPOSE_VERSION_LABEL,
      'com.docker.compose.image.builder': 'classic',
    },
    target: build.target,
    noCache: build.no_cache,
    pull: build.pull,
    network: build.network,
  };
}

/**
 * Build one image: pack the context, `POST /build`, pass each progress message to `onProgress`.
 * @returns the ID of the built image.
 * @throws CapstanError NOT_FOUND when the context or Dockerfile is missing; EngineError on a
 *   build failure (with the daemon's message, e.g. the failing RUN step's error).
 */
export async function runBuild(
  engine: Engine,
  request: BuildRequest,
  onProgress: (message: ProgressMessage) => void,
  signal?: AbortSignal,
): Promise<string> {
  const tar = await packContext(request);
  let imageId = '';
  for await (const message of engine.build(tar, {
    dockerfile: request.dockerfile,
    tags: request.tags,
    buildargs: request.args,
    labels: request.labels,
    target: request.target,
    nocache: request.noCache,
    pull: request.pull,
    networkmode: request.network,
    signal,
  })) {
    if (message.aux?.ID) imageId = message.aux.ID;
    onProgress(message);
  }
  if (!imageId) {
    const inspected = await engine.inspectImage(request.tags[0]!);
    imageId = inspected?.Id ?? '';
  }
  return imageId;
}

/** The build context as a tar buffer, filtered by `.dockerignore`. */
export async function packContext(request: BuildRequest): Promise<Buffer> {
  const info = await stat(request.context).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new CapstanError('NOT_FOUND', `service "${request.service}": build context ${request.context} is not a directory`);
  }
  // loaded here only: a command that builds nothing does without them (start-up time)
  const [{ default: ignore }, { create: createTar }] = await Promise.all([import('@balena/dockerignore'), import('tar')]);
  const dockerignore = await readFile(join(request.context, '.dockerignore'), 'utf8').catch(() => '');
  const ig = ignore().add(dockerignore);
  const keep = new Set([request.dockerfile.split(sep).join('/'), '.dockerignore']);
  const filter = (path: string): boolean => {
    const rel = relative(request.context, resolve(request.context, path)).split(sep).join('/');
    if (rel === '' || keep.has(rel)) return true;
    return !ig.ignores(rel);
  };
  if (!request.dockerfileInline) {
    const dockerfile = await stat(join(request.context, request.dockerfile)).catch(() => undefined);
    if (!dockerfile?.isFile()) {
      throw new CapstanError('NOT_FOUND', `service "${request.service}": Dockerfile ${join(request.context, request.dockerfile)} not found`);
    }
  }
  const chunks: Buffer[] = [];
  const stream = createTar({ cwd: request.context, portable: true, filter, follow: false }, ['.']);
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  let tar: Buffer = Buffer.concat(chunks);
  if (request.dockerfileInline) tar = appendFile(tar, request.dockerfile, request.dockerfileInline);
  return tar;
}

/** Append one regular file (mode 0644, root-owned) to a tar archive, before its end blocks. */
function appendFile(tar: Buffer, name: string, content: string): Buffer {
  let end = tar.length;
  while (end >= 512 && tar.subarray(end - 512, end).every((b) => b === 0)) end -= 512;
  return Buffer.concat([tar.subarray(0, end), tarOf([{ path: name, content, uid: 0, gid: 0, mode: 0o644 }])]);
}
