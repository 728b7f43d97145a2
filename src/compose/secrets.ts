/**
 * Secrets and configs without Swarm (compose-behaviour.md §3.19).
 *
 * - `file:` sources become **read-only bind mounts**: secrets at `target`, default
 *   `/run/secrets/<key>` (a relative target goes under `/run/secrets/`); configs at `target`,
 *   default `/<key>`. `uid`, `gid` and `mode` cannot apply to a bind mount: a warning says so.
 * - `environment:` and `content:` sources become {@link ContainerFile}s that the
 *   `create-container` step copies into the container after create and before start, as one tar
 *   extracted at `/` (`PUT /containers/{id}/archive?path=/`), honouring `uid`, `gid` and `mode`
 *   (default `0444`, owner root). A `read_only` service cannot receive them: that is an error.
 * - `external`, `driver` and `template_driver` need Swarm: errors, as in docker compose.
 *
 * Pure: no I/O (a missing secret file shows up when the engine starts the container).
 */
import { CapstanError } from '../errors.js';
import type { Mount } from 'docker-types/generated/1.41';
import type { ConfigObjConfig, Project, SecretConfig, ServiceConfig, ServiceFileReference } from '../model/types.js';

/** A file to write into a container before it starts. */
export interface ContainerFile {
  /** Absolute path inside the container, e.g. `/run/secrets/db_password`. */
  path: string;
  /** The file's content (UTF-8 text, as compose files carry it). */
  content: string;
  /** Numeric owner user ID (default 0). */
  uid: number;
  /** Numeric owner group ID (default 0). */
  gid: number;
  /** Permission bits, e.g. `0o444` (the default). */
  mode: number;
}

/** What a service's `secrets:` and `configs:` turn into. */
export interface SecretsAndConfigs {
  /** Read-only bind mounts for `file:` sources (`HostConfig.Mounts` entries). */
  mounts: Mount[];
  /** Files to copy in after create (`environment:` and `content:` sources). */
  files: ContainerFile[];
  /** Things the user should know (ignored `uid`/`gid`/`mode` on bind-mounted sources). */
  warnings: string[];
}

/** Default permission bits of a copied secret or config file. */
const DEFAULT_FILE_MODE = 0o444;

type Kind = 'secret' | 'config';

/**
 * Resolves a service's `secrets:` and `configs:` against the project's top-level definitions.
 *
 * @throws CapstanError UNSUPPORTED for an external, driver- or template-based source (Swarm only);
 *   VALIDATION for an undefined source (the loader refuses it first), a source with nothing to
 *   read, an unset `environment:` variable, a non-numeric uid/gid, or copied files for a
 *   `read_only` service.
 */
export function secretsAndConfigs(project: Project, service: ServiceConfig): SecretsAndConfigs {
  const out: SecretsAndConfigs = { mounts: [], files: [], warnings: [] };
  for (const ref of service.secrets ?? []) addOne(out, project, service, 'secret', ref, project.secrets[ref.source]);
  for (const ref of service.configs ?? []) addOne(out, project, service, 'config', ref, project.configs[ref.source]);
  return out;
}

function addOne(
  out: SecretsAndConfigs,
  project: Project,
  service: ServiceConfig,
  kind: Kind,
  ref: ServiceFileReference,
  def: SecretConfig | ConfigObjConfig | undefined,
): void {
  const what = `${kind} "${ref.source}"`;
  const fail = (message: string, hint?: string): CapstanError =>
    new CapstanError('VALIDATION', `service "${service.name}": ${what} ${message}`, hint ? { hint } : {});
  // Swarm-only features: valid compose, but nothing a standalone engine can apply
  const swarmOnly = (message: string, hint?: string): CapstanError =>
    new CapstanError('UNSUPPORTED', `service "${service.name}": ${what} ${message}`, hint ? { hint } : {});
  if (!def) throw new CapstanError('VALIDATION', `service "${service.name}" refers to undefined ${kind} ${ref.source}`);
  if (def.external) {
    throw swarmOnly('is external: external secrets and configs need Swarm', `define it with file:, environment:${kind === 'config' ? ' or content:' : ''} instead`);
  }
  if ('driver' in def && def.driver !== undefined && def.driver !== null) throw swarmOnly('uses a driver: secret drivers need Swarm', 'use file: or environment: instead');
  if (def.template_driver !== undefined && def.template_driver !== null) {
    throw swarmOnly('uses template_driver, which needs Swarm');
  }
  const path = targetPath(kind, ref);

  if (typeof def.file === 'string') {
    if (ref.uid !== undefined || ref.gid !== undefined || ref.mode !== undefined) {
      out.warnings.push(`service "${service.name}": ${what}: uid, gid and mode are ignored for file: sources (bind-mounted read-only)`);
    }
    out.mounts.push({ Type: 'bind', Source: def.file, Target: path, ReadOnly: true });
    return;
  }

  let content: string;
  const content_ = (def as ConfigObjConfig).content;
  if (typeof def.environment === 'string') {
    const value = project.environment[def.environment];
    if (value === undefined) {
      throw fail(`reads environment variable ${def.environment}, which is not set`, `set ${def.environment} in the environment or in .env`);
    }
    content = value;
  } else if (kind === 'config' && content_ !== undefined && content_ !== null) {
    content = String(content_);
  } else {
    throw fail(kind === 'secret' ? 'has neither file: nor environment:' : 'has neither file:, environment: nor content:');
  }
  if (service.read_only) {
    throw fail(
      'must be copied into the container, which read_only: true forbids',
      'use a file: source (bind-mounted), or drop read_only',
    );
  }
  out.files.push({
    path,
    content,
    uid: numericId(ref.uid, 'uid', fail),
    gid: numericId(ref.gid, 'gid', fail),
    mode: fileMode(ref.mode, fail),
  });
}

/** Where the file goes in the container: `target`, or the default for its kind. */
function targetPath(kind: Kind, ref: ServiceFileReference): string {
  const target = ref.target;
  if (kind === 'secret') {
    if (!target) return `/run/secrets/${ref.source}`;
    return target.startsWith('/') ? target : `/run/secrets/${target}`;
  }
  if (!target) return `/${ref.source}`;
  return target.startsWith('/') ? target : `/${target}`;
}

function numericId(value: string | number | undefined, key: string, fail: (m: string) => CapstanError): number {
  if (value === undefined || value === null || value === '') return 0;
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) throw fail(`${key} "${text}" must be a numeric ID`);
  return Number(text);
}

function fileMode(value: number | string | undefined, fail: (m: string) => CapstanError): number {
  if (value === undefined || value === null) return DEFAULT_FILE_MODE;
  const n = typeof value === 'number' ? value : parseInt(String(value), 8);
  if (!Number.isInteger(n) || n < 0 || n > 0o7777) throw fail(`mode ${JSON.stringify(value)} is not a file mode`);
  return n;
}

/**
 * An uncompressed POSIX ustar archive of `files`, entry names relative to `/` (so the archive
 * is extracted at `/` with `PUT /containers/{id}/archive?path=/`; dockerd creates missing parent
 * directories). Ownership and mode are taken from each {@link ContainerFile}; mtime is now.
 *
 * @throws CapstanError VALIDATION for a path too long for ustar (name ≤ 100, prefix ≤ 155 bytes).
 */
export function tarOf(files: readonly ContainerFile[]): Buffer {
  const parts: Buffer[] = [];
  const mtime = Math.floor(Date.now() / 1000);
  for (const file of files) {
    const body = Buffer.from(file.content, 'utf8');
    parts.push(tarHeader(file.path.replace(/^\/+/, ''), body.length, file, mtime));
    parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(parts);
}

function tarHeader(path: string, size: number, file: ContainerFile, mtime: number): Buffer {
  const header = Buffer.alloc(512);
  const [prefix, name] = splitUstarPath(path);
  const octal = (n: number, width: number): string => `${n.toString(8).padStart(width - 1, '0')}\0`;
  header.write(name, 0, 100, 'utf8');
  header.write(octal(file.mode & 0o7777, 8), 100, 'ascii');
  header.write(octal(file.uid, 8), 108, 'ascii');
  header.write(octal(file.gid, 8), 116, 'ascii');
  header.write(octal(size, 12), 124, 'ascii');
  header.write(octal(mtime, 12), 136, 'ascii');
  header.write('        ', 148, 'ascii'); // checksum counts as spaces while summing
  header.write('0', 156, 'ascii'); // regular file
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return header;
}

/** Splits a path into ustar `prefix` and `name` fields. */
function splitUstarPath(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return [prefix, name];
  }
  throw new CapstanError('VALIDATION', `path /${path} is too long to copy into a container`);
}
