/**
 * Item 7 of issue 9, end to end through the loader: what compose accepts, `loadProject` (and so
 * `capstan config`) accepts too, with the same canonical model.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoaderError } from '../errors.js';
import { loadProject, projectToModel } from './index.js';
import { modelToYaml } from './serialize.js';

function project(text: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'capstan-lenient-')), 'app');
  mkdirSync(dir);
  writeFileSync(join(dir, 'compose.yaml'), text);
  return dir;
}

const COMPOSE = `services:
  web:
    image: nginx
    ports:
      - "\${BIND:-}:443:443"
      - ":8080:80"
    volumes:
      - db:/data:Z
      - ./src:/src:nocopy
    command: a b && c d
    entrypoint: "/bin/run --flag=\\"x y\\""
    post_start:
      - command: echo started > /tmp/log
    develop:
      watch:
        - path: ./src
          action: sync+exec
          target: /src
          exec:
            command: make reload; true
volumes:
  db: {}
`;

describe('lenient where compose is lenient', () => {
  it('loads db:/data:Z, ":443:443" and a string command cut at an operator, with warnings', async () => {
    const dir = project(COMPOSE);
    const warnings: string[] = [];
    const p = await loadProject({ cwd: dir, env: {}, onWarning: (w) => warnings.push(w) });
    const web = p.services.web!;
    expect(web.ports).toEqual([
      { mode: 'ingress', target: 443, published: '443', protocol: 'tcp' },
      { mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' },
    ]);
    expect(web.volumes).toEqual([
      { type: 'volume', source: 'db', target: '/data', volume: {}, bind: { selinux: 'Z', create_host_path: true } },
      { type: 'bind', source: join(dir, 'src'), target: '/src', bind: { create_host_path: true }, volume: { nocopy: true } },
    ]);
    expect(web.command).toEqual(['a', 'b']);
    expect(web.entrypoint).toEqual(['/bin/run', '--flag=x y']);
    expect(web.post_start?.[0]?.command).toEqual(['echo', 'started']);
    expect((web.develop as { watch: { exec: { command: unknown } }[] }).watch[0]!.exec.command).toEqual(['make', 'reload']);

    const file = 'compose.yaml'; // relative to the working directory, as every loader message
    expect(warnings).toEqual([
      `${file}:10:14: services.web.command: the string command stops at the unquoted "&&": Compose runs ["a","b"] and drops "&& c d"; ` +
        'to run it in a shell write ["sh","-c","a b && c d"], or write the command as a list',
      `${file}:13:18: services.web.post_start[0].command: the string command stops at the unquoted ">": Compose runs ["echo","started"] ` +
        'and drops "> /tmp/log"; to run it in a shell write ["sh","-c","echo started > /tmp/log"], or write the command as a list',
      `${file}:20:22: services.web.develop.watch[0].exec.command: the string command stops at the unquoted ";": Compose runs ["make","reload"] ` +
        'and drops "; true"; to run it in a shell write ["sh","-c","make reload; true"], or write the command as a list',
    ]);

    const yaml = modelToYaml(projectToModel(p));
    expect(yaml).toContain('command:\n      - a\n      - b\n');
    expect(yaml).toContain(
      '      - bind:\n          create_host_path: true\n          selinux: Z\n        source: db\n        target: /data\n        type: volume\n        volume: {}\n',
    );
    expect(yaml).toContain('        type: bind\n        volume:\n          nocopy: true\n');
  });

  it('refuses an unquoted ( with file:line:col, the key path and the value', async () => {
    const dir = project('services:\n  web:\n    image: x\n    command: sh -c (echo hi)\n');
    const err = await loadProject({ cwd: dir, env: {}, onWarning: () => {} }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LoaderError);
    expect((err as LoaderError).message).toBe(
      `compose.yaml:4:14: services.web.command: invalid command line string "sh -c (echo hi)": ` +
        'an unquoted "(" (at offset 6) is not allowed, only in "$("',
    );
    expect((err as LoaderError).hint).toMatch(/list/);
  });
});
