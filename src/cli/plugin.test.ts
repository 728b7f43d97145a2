import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installPlugin, pluginPath, uninstallPlugin } from './plugin.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('docker CLI plugin', () => {
  it('lives in $DOCKER_CONFIG/cli-plugins, else ~/.docker/cli-plugins', () => {
    expect(pluginPath({ DOCKER_CONFIG: '/c', HOME: '/h' })).toBe('/c/cli-plugins/docker-compose');
    expect(pluginPath({ HOME: '/h' })).toBe('/h/.docker/cli-plugins/docker-compose');
  });

  it('answers the metadata handshake, runs capstan without the leading `compose`, and removes only its own file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-plugin-'));
    dirs.push(dir);
    const env = { DOCKER_CONFIG: dir };
    const path = installPlugin('/bin/echo', '1.2.3', { env });
    expect(path).toBe(join(dir, 'cli-plugins', 'docker-compose'));
    const meta = JSON.parse(execFileSync(path, ['docker-cli-plugin-metadata'], { encoding: 'utf8' }));
    expect(meta).toEqual({ SchemaVersion: '0.1.0', Vendor: 'Capstan', Version: 'v1.2.3', ShortDescription: expect.any(String) });
    expect(execFileSync(path, ['compose', '-p', 'x', 'ps'], { encoding: 'utf8' })).toBe('-p x ps\n');
    installPlugin('/bin/echo', '1.2.4', { env }); // its own file: replaced
    expect(uninstallPlugin({ env })).toBe(path);
    expect(existsSync(path)).toBe(false);
    expect(uninstallPlugin({ env })).toBeUndefined();

    writeFileSync(path, '#!/bin/sh\necho real compose\n');
    expect(() => installPlugin('/bin/echo', '1', { env })).toThrow(/exists and was not written by Capstan/);
    expect(() => uninstallPlugin({ env })).toThrow(/was not written by Capstan/);
    expect(readFileSync(path, 'utf8')).toContain('real compose');
    installPlugin('/bin/echo', '1', { env, force: true });
    expect(readFileSync(path, 'utf8')).toContain('capstan-docker-cli-plugin');
  });
});
