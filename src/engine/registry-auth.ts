import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CapstanError } from '../errors.js';

/**
 * Image references and registry credentials, as the Docker CLI finds them: the client config
 * `config.json` in `$DOCKER_CONFIG` (default `~/.docker`) with `auths` (base64 `user:password`),
 * `credsStore` and `credHelpers` (the `docker-credential-<name> get` protocol), sent to the
 * engine as the `X-Registry-Auth` header of `POST /images/create` and `POST /images/{name}/push`.
 */

/** Docker Hub's key in `auths` (the index server address the Docker CLI uses). */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** An image reference split: `127.0.0.1:5000/tiny:1` → name `127.0.0.1:5000/tiny`, tag `1`. */
export interface ImageReference {
  /** Repository with its registry host when one was given (`127.0.0.1:5000/tiny`, `redis`). */
  name: string;
  tag?: string;
  /** `sha256:…` after `@`. */
  digest?: string;
  /** Registry host (`127.0.0.1:5000`, `ghcr.io`), `docker.io` when the name has none. */
  registry: string;
}

/**
 * Split a reference (Docker's rules: the first path component is a registry host when it has a
 * `.` or a `:`, or is `localhost`; a tag follows the last `:` after the last `/`).
 */
export function parseImageReference(ref: string): ImageReference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const registry = first && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
  return { name: rest, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }), registry };
}

/** Credentials for one registry, in the engine's `AuthConfig` shape (Engine API `X-Registry-Auth`). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** An OAuth identity token (a helper answering Username `<token>`). */
  identitytoken?: string;
  serveraddress: string;
}

/** `X-Registry-Auth`: base64url (RFC 4648 §5) of the JSON auth config; `{}` encoded when none. */
export function encodeRegistryAuth(auth: RegistryAuth | undefined): string {
  return Buffer.from(JSON.stringify(auth ?? {}), 'utf8').toString('base64url');
}

/** The folder of the client's `config.json`: `$DOCKER_CONFIG`, else `~/.docker`. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || join(homedir(), '.docker');
}

interface ClientConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** The keys a registry may be stored under in `auths` (with or without scheme / `/v1/`). */
function authKeys(registry: string): string[] {
  if (registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io') {
    return [DOCKER_HUB_AUTH_KEY, 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  }
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

/** Options of {@link registryAuth}. */
export interface RegistryAuthOptions {
  /** Environment for `DOCKER_CONFIG` and the helpers' `PATH`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The credentials for `registry` (a host such as `127.0.0.1:5443`, or `docker.io`), or
 * `undefined` when the config has none (or there is no config file). Order as the Docker CLI:
 * `credHelpers[registry]`, else `credsStore`, else `auths`.
 *
 * @throws CapstanError VALIDATION for an unreadable config.json or a bad `auth` value; ENGINE
 *   when a credential helper cannot be run or fails (other than "credentials not found").
 */
export async function registryAuth(registry: string, options: RegistryAuthOptions = {}): Promise<RegistryAuth | undefined> {
  const env = options.env ?? process.env;
  const file = join(dockerConfigDir(env), 'config.json');
  let config: ClientConfig;
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as ClientConfig;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CapstanError('VALIDATION', `${file}: cannot read the Docker client config: ${(err as Error).message}`, { cause: err });
  }
  const keys = authKeys(registry);
  const serveraddress = registry === 'docker.io' ? DOCKER_HUB_AUTH_KEY : registry;
  const helper = keys.map((k) => config.credHelpers?.[k]).find(Boolean) ?? config.credsStore;
  if (helper) {
    const found = await credentialHelperGet(helper, serveraddress, env);
    if (found) return { ...found, serveraddress };
  }
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const sep = decoded.indexOf(':');
      if (sep < 0) throw new CapstanError('VALIDATION', `${file}: auths."${key}".auth is not base64 of "user:password"`);
      return { username: decoded.slice(0, sep), password: decoded.slice(sep + 1), serveraddress };
    }
    if (entry.username) return { username: entry.username, password: entry.password ?? '', serveraddress };
  }
  return undefined;
}

/**
 * `docker-credential-<helper> get` with `server` on stdin (the credential helper protocol):
 * `{ServerURL, Username, Secret}` on stdout; `undefined` when it has none ("credentials not
 * found"). Username `<token>` means Secret is an identity token.
 * @throws CapstanError ENGINE when the executable is missing or fails otherwise.
 */
export function credentialHelperGet(helper: string, server: string, env: NodeJS.ProcessEnv = process.env): Promise<Omit<RegistryAuth, 'serveraddress'> | undefined> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new CapstanError('ENGINE', `credential helper ${program} cannot run: ${e.code === 'ENOENT' ? 'not found on PATH' : e.message}`, {
        hint: 'install it, or remove credsStore/credHelpers from the Docker config.json',
        cause: e,
      })),
    );
    child.on('close', (code) => {
      if (code !== 0) {
        const text = (out + err).trim();
        if (/credentials not found/i.test(text)) return resolve(undefined);
        return reject(new CapstanError('ENGINE', `credential helper ${program} failed for ${server}: ${text || `exit status ${code}`}`));
      }
      try {
        const answer = JSON.parse(out) as { Username?: string; Secret?: string };
        if (answer.Username === '<token>') return resolve({ identitytoken: answer.Secret ?? '' });
        resolve({ username: answer.Username ?? '', password: answer.Secret ?? '' });
      } catch {
        reject(new CapstanError('ENGINE', `credential helper ${program} answered with invalid JSON for ${server}`));
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(server);
  });
}
