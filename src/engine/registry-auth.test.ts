import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRegistryAuth, parseImageReference, registryAuth } from './registry-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'capstan-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config dir holding `config`, and an env whose PATH finds our fake helper first. */
function configWith(config: unknown): NodeJS.ProcessEnv {
  const d = mkdtempSync(join(dir, 'cfg-'));
  writeFileSync(join(d, 'config.json'), JSON.stringify(config));
  return { ...process.env, DOCKER_CONFIG: d, PATH: `${dir}:${process.env.PATH}` };
}

// docker-credential-x: answers for 127.0.0.1:5443 (and a token for tok.io), "not found" otherwise
writeFileSync(
  join(dir, 'docker-credential-x'),
  `#!/bin/sh
read server
case "$server" in
  127.0.0.1:5443) echo '{"ServerURL":"127.0.0.1:5443","Username":"helper-user","Secret":"helper-pass"}' ;;
  tok.io) echo '{"ServerURL":"tok.io","Username":"<token>","Secret":"tkn"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
);
chmodSync(join(dir, 'docker-credential-x'), 0o755);

describe('image references', () => {
  it('finds the registry, name, tag and digest', () => {
    expect(parseImageReference('127.0.0.1:5000/tiny:1')).toEqual({ name: '127.0.0.1:5000/tiny', tag: '1', registry: '127.0.0.1:5000' });
    expect(parseImageReference('redis')).toEqual({ name: 'redis', registry: 'docker.io' });
    expect(parseImageReference('library/redis:7')).toEqual({ name: 'library/redis', tag: '7', registry: 'docker.io' });
    expect(parseImageReference('localhost/a/b@sha256:ab')).toEqual({ name: 'localhost/a/b', digest: 'sha256:ab', registry: 'localhost' });
    expect(parseImageReference('ghcr.io/o/r')).toEqual({ name: 'ghcr.io/o/r', registry: 'ghcr.io' });
  });
});

describe('X-Registry-Auth', () => {
  it('is base64url of the JSON auth config, {} without credentials', () => {
    const header = encodeRegistryAuth({ username: 'u', password: 'p?>>', serveraddress: 'r:1' });
    expect(header).not.toMatch(/[+/=]/);
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ username: 'u', password: 'p?>>', serveraddress: 'r:1' });
    expect(encodeRegistryAuth(undefined)).toBe(Buffer.from('{}').toString('base64url'));
  });
});

describe('credentials from the Docker client config', () => {
  it('reads auths (base64 user:password) under DOCKER_CONFIG', async () => {
    const env = configWith({ auths: { '127.0.0.1:5443': { auth: Buffer.from('me:s3:cret').toString('base64') } } });
    expect(await registryAuth('127.0.0.1:5443', { env })).toEqual({ username: 'me', password: 's3:cret', serveraddress: '127.0.0.1:5443' });
    expect(await registryAuth('other:1', { env })).toBeUndefined();
  });

  it('asks credHelpers first, then credsStore, through docker-credential-<name> get', async () => {
    const helpers = configWith({ credHelpers: { '127.0.0.1:5443': 'x' }, auths: { '127.0.0.1:5443': { auth: Buffer.from('a:b').toString('base64') } } });
    expect(await registryAuth('127.0.0.1:5443', { env: helpers })).toEqual({ username: 'helper-user', password: 'helper-pass', serveraddress: '127.0.0.1:5443' });
    const store = configWith({ credsStore: 'x' });
    expect(await registryAuth('tok.io', { env: store })).toEqual({ identitytoken: 'tkn', serveraddress: 'tok.io' });
    expect(await registryAuth('nowhere.io', { env: store })).toBeUndefined(); // "credentials not found"
    const missing = configWith({ credsStore: 'absent-helper' });
    await expect(registryAuth('r.io', { env: missing })).rejects.toThrow(/docker-credential-absent-helper cannot run: not found on PATH/);
  });

  it('is undefined without a config file', async () => {
    expect(await registryAuth('r.io', { env: { DOCKER_CONFIG: join(dir, 'none') } })).toBeUndefined();
  });
});
