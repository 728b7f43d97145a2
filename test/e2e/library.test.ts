import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Compose, EngineClient, loadProject } from '../../src/index.js';
import { idle, leftovers, setup } from './helpers.js';

/**
 * Capstan as a library against the real engine (issue 10): `Compose.exec` returns the command's
 * exit status and its collected output, and the README's library example (start a project, exec
 * into it, tear it down) runs as written there, `capstan` imported from the sources.
 */

const file = `
services:
  web:
    image: busybox
    command: ${idle()}
`;

describe('the library', () => {
  it("new Compose(...).exec(project, 'web', ['echo', 'hi']) returns {exitCode, stdout}", async () => {
    const { project: name, dir } = setup('library-exec', { 'compose.yaml': file });
    const project = await loadProject({ files: [join(dir, 'compose.yaml')], projectName: name });
    const compose = new Compose({ engine: EngineClient.fromEnvironment() });
    await compose.up(project, { detach: true });
    try {
      // no stdout/stderr streams given: the output is collected into the result
      expect(await compose.exec(project, 'web', ['echo', 'hi'])).toEqual({ container: `${name}-web-1`, exitCode: 0, stdout: 'hi\n', stderr: '' });
      expect(await compose.exec(project, 'web', ['sh', '-c', 'echo oops >&2; exit 3'])).toEqual({ container: `${name}-web-1`, exitCode: 3, stdout: '', stderr: 'oops\n' });
      await expect(compose.exec(project, 'nope', ['true'])).rejects.toMatchObject({ code: 'USAGE', message: 'no such service: nope' });
    } finally {
      await compose.down(project);
    }
  });

  it('starts a project, execs into it and tears it down (the README example)', async () => {
    const { project: name, dir } = setup('library-readme', { 'compose.yaml': file });
    // ---- README: from here (the README writes `from 'capstan'` and `files: ['compose.yaml']`)
    const project = await loadProject({ files: [join(dir, 'compose.yaml')], projectName: name });
    const compose = new Compose({ engine: EngineClient.fromEnvironment() });
    await compose.up(project, { detach: true, wait: true });
    try {
      const { exitCode, stdout } = await compose.exec(project, 'web', ['echo', 'hi']);
      expect(exitCode).toBe(0);
      expect(stdout).toBe('hi\n');
    } finally {
      await compose.down(project, { volumes: true });
    }
    // ---- README: to here
    expect(await leftovers(name)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
