import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validate, type UpFlags } from '../up-flags.js';
import { run } from './up.js';
import { run as create } from './create.js';

/** Messages as docker compose prints them (cmd/compose/up.go validateFlags and RunE). */
const WAIT = '--wait cannot be combined with --abort-on-container-exit, --attach or --attach-dependencies';
const WAIT_LONG = '--wait cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, --attach-dependencies or --watch';
const DETACH = '--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, --attach-dependencies or --watch';

describe('up flag validation', () => {
  const refused = (flags: UpFlags, message: string) => expect(() => validate(flags)).toThrow(message);
  const accepted = (flags: UpFlags) => expect(() => validate(flags)).not.toThrow();

  it('refuses a negative --wait-timeout', () => {
    refused({ waitTimeout: -1 }, '--wait-timeout must be a non-negative integer');
    accepted({ wait: true, waitTimeout: 0 });
  });

  it('--exit-code-from implies --abort-on-container-exit, unless --abort-on-container-failure', () => {
    const both = '--abort-on-container-failure cannot be combined with --abort-on-container-exit';
    refused({ abortOnContainerExit: true, abortOnContainerFailure: true }, both);
    refused({ abortOnContainerExit: true, abortOnContainerFailure: true, exitCodeFrom: 'web' }, both);
    accepted({ exitCodeFrom: 'web', abortOnContainerFailure: true });
    accepted({ exitCodeFrom: 'web', abortOnContainerExit: true });
  });

  it('--wait refuses attaching and aborting', () => {
    refused({ wait: true, attach: ['web'] }, WAIT);
    refused({ wait: true, attachDependencies: true }, WAIT);
    refused({ wait: true, abortOnContainerExit: true }, WAIT);
    refused({ wait: true, exitCodeFrom: 'web' }, WAIT);
    refused({ wait: true, abortOnContainerFailure: true }, WAIT_LONG);
    accepted({ wait: true, noattach: ['web'] });
  });

  it('--watch: attached only, and builds', () => {
    refused({ detach: true, watch: true }, DETACH);
    refused({ wait: true, watch: true }, WAIT_LONG);
    refused({ nobuild: true, watch: true }, '--no-build and --watch are incompatible');
    accepted({ watch: true, build: true });
  });

  it('refuses --build with --no-build', () => {
    refused({ build: true, nobuild: true }, '--build and --no-build are incompatible');
    accepted({ build: true });
    accepted({ nobuild: true });
  });

  it('--detach refuses attaching and aborting, but not --no-attach', () => {
    refused({ detach: true, attach: ['web'] }, DETACH);
    refused({ detach: true, attachDependencies: true }, DETACH);
    refused({ detach: true, abortOnContainerExit: true }, DETACH);
    refused({ detach: true, abortOnContainerFailure: true }, DETACH);
    refused({ detach: true, exitCodeFrom: 'web' }, DETACH);
    accepted({ detach: true, noattach: ['web'] });
  });

  it('refuses --no-recreate with --force-recreate or --always-recreate-deps', () => {
    refused({ forceRecreate: true, recreate: false }, '--force-recreate and --no-recreate are incompatible');
    refused({ alwaysRecreateDeps: true, recreate: false }, '--always-recreate-deps and --no-recreate are incompatible');
  });

  it('lets --exit-code-from name a service given to --no-attach (compose has no such check)', () => {
    accepted({ exitCodeFrom: 'web', noattach: ['web'] });
  });
});

describe('checks after loading the project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-up-test-'));
  const file = join(dir, 'compose.yaml');
  writeFileSync(file, 'services:\n  web:\n    image: busybox\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses --attach with --attach-dependencies', async () => {
    await expect(run({ file: [file], progress: 'quiet' }, { attach: ['web'], attachDependencies: true }, [])).rejects.toThrow(
      'cannot combine --attach and --attach-dependencies',
    );
  });
});

describe('create flag validation (cmd/compose/create.go PreRunE)', () => {
  it('refuses --build with --no-build and --force-recreate with --no-recreate', async () => {
    await expect(create({ progress: 'quiet' }, { build: true, nobuild: true }, [])).rejects.toThrow('--build and --no-build are incompatible');
    await expect(create({ progress: 'quiet' }, { forceRecreate: true, recreate: false }, [])).rejects.toThrow(
      '--force-recreate and --no-recreate are incompatible',
    );
  });
});
