import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CapstanError } from '../errors.js';

/**
 * Capstan as a Docker CLI plugin (`docker compose …`): `install-plugin` writes
 * `$DOCKER_CONFIG/cli-plugins/docker-compose` (`~/.docker` without DOCKER_CONFIG), a shell script
 * that answers the CLI's `docker-cli-plugin-metadata` handshake with the plugin metadata JSON
 * (SchemaVersion "0.1.0", Vendor, Version, ShortDescription) and otherwise runs Capstan with the
 * arguments after `compose` (the CLI runs a plugin as `docker-compose compose ARGS…`).
 * The script carries {@link PLUGIN_MARKER}: `uninstall-plugin` removes, and `install-plugin`
 * overwrites, only a file holding it (other files only with `--force`).
 */

/** The line that marks a plugin file as written by Capstan. */
export const PLUGIN_MARKER = '# capstan-docker-cli-plugin: written by `capstan install-plugin`; `capstan uninstall-plugin` removes it';

/** Where the plugin goes: `$DOCKER_CONFIG/cli-plugins/docker-compose`, DOCKER_CONFIG defaulting to `~/.docker`. */
export function pluginPath(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  return join(config, 'cli-plugins', 'docker-compose');
}

/** The plugin metadata the Docker CLI asks for (`docker-cli-plugin-metadata`). */
export function pluginMetadata(version: string): Record<string, string> {
  return {
    SchemaVersion: '0.1.0',
    Vendor: 'Capstan',
    Version: `v${version}`,
    ShortDescription: 'Docker Compose (Capstan, in TypeScript)',
  };
}

/** Quote for a POSIX shell single-quoted word. */
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The plugin script: the handshake, else `exec capstan ARGS…` with the leading `compose` dropped. */
export function pluginScript(capstanBin: string, version: string): string {
  return `#!/bin/sh
${PLUGIN_MARKER}
if [ "$1" = docker-cli-plugin-metadata ]; then
  printf '%s\\n' ${sq(JSON.stringify(pluginMetadata(version)))}
  exit 0
fi
[ "$1" = compose ] && shift
exec ${sq(capstanBin)} "$@"
`;
}

/** Whether the file at `path` is Capstan's plugin (holds the marker). */
function isOurs(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes(PLUGIN_MARKER);
  } catch {
    return false;
  }
}

/**
 * Writes the plugin (atomically, mode 0755) running `capstanBin`; returns its path.
 * @throws CapstanError CONFLICT when a file Capstan did not write is there and `force` is not set
 */
export function installPlugin(capstanBin: string, version: string, options: { force?: boolean; env?: NodeJS.ProcessEnv } = {}): string {
  const path = pluginPath(options.env);
  if (existsSync(path) && !isOurs(path) && !options.force) {
    throw new CapstanError('CONFLICT', `${path} exists and was not written by Capstan`, {
      hint: 'it is probably Docker Compose itself; `capstan install-plugin --force` replaces it',
    });
  }
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.capstan-${process.pid}`;
  writeFileSync(temp, pluginScript(resolve(capstanBin), version), { mode: 0o755 });
  chmodSync(temp, 0o755);
  renameSync(temp, path);
  return path;
}

/**
 * Removes the plugin; returns its path, or undefined when there was none.
 * @throws CapstanError CONFLICT when the file there was not written by Capstan and `force` is not set
 */
export function uninstallPlugin(options: { force?: boolean; env?: NodeJS.ProcessEnv } = {}): string | undefined {
  const path = pluginPath(options.env);
  if (!existsSync(path)) return undefined;
  if (!isOurs(path) && !options.force) {
    throw new CapstanError('CONFLICT', `${path} was not written by Capstan; leaving it`, {
      hint: '`capstan uninstall-plugin --force` removes it anyway',
    });
  }
  rmSync(path, { force: true });
  return path;
}
