import { describe, expect, it } from 'vitest';
import { validateModel } from './validate.js';
import { locateIn, parseYaml } from './yaml.js';

function check(src: string) {
  const docs = parseYaml(src, 'compose.yaml');
  return validateModel(docs[0]!.data, (p, o) => locateIn(docs, p, o)).map((e) => e.message);
}

describe('validateModel', () => {
  it('accepts a valid file', () => {
    expect(check('services:\n  web:\n    image: nginx\n    ports: ["80:80"]\n    privileged: "true"\n')).toEqual([]);
  });
  it('reports a misspelt key once, with file, line and key', () => {
    expect(check('services:\n  web:\n    image: nginx\n    restrat: always\n')).toEqual([
      "compose.yaml:4:5: services.web: additional properties 'restrat' not allowed",
    ]);
  });
  it('keeps the most specific error of a oneOf', () => {
    const src = 'services:\n  web:\n    image: nginx\n    depends_on:\n      db:\n        condition: service_startd\n  db:\n    image: x\n';
    expect(check(src)).toEqual([
      'compose.yaml:6:20: services.web.depends_on.db.condition: "service_startd" is not one of: service_started, service_healthy, service_completed_successfully',
    ]);
  });
  it('words a list-or-mapping failure as compose-go does', () => {
    expect(check('services:\n  web:\n    image: nginx\n    environment: "FOO=1"\n')).toEqual([
      'compose.yaml:4:18: services.web.environment: must be a mapping',
    ]);
  });
  it('merges type alternatives', () => {
    expect(check('services:\n  web:\n    image: nginx\n    command: {a: 1}\n')).toEqual([
      'compose.yaml:4:14: services.web.command: must be a list, null or string',
    ]);
  });
  it('accepts the attributes patched into the package schema (scripts/build-schema.mjs)', () => {
    const src = [
      'services:',
      '  web:',
      '    image: nginx',
      '    build:',
      '      context: .',
      '      provenance: mode=max',
      '      sbom: true',
      '      no_cache_filter: [base, deps]',
      '    develop:',
      '      watch:',
      '        - {path: ./src, action: sync, target: /app, initial_sync: true}',
      '    pre_start:',
      '      - command: ./migrate',
      '      - {image: busybox, command: [chown, -R, "1000", /data], per_replica: true, privileged: true}',
      '      - image: migrator',
      '    models:',
      '      llm:',
      'models:',
      '  llm: {model: ai/smollm2}',
      '',
    ].join('\n');
    expect(check(src)).toEqual([]);
  });
  it('places errors inside patched definitions at file:line:col with the key path', () => {
    const src = 'services:\n  web:\n    image: nginx\n    pre_start:\n      - image: busybox\n        comand: x\n';
    expect(check(src)).toEqual(["compose.yaml:6:9: services.web.pre_start[0]: additional properties 'comand' not allowed"]);
    expect(check('services:\n  web:\n    build:\n      context: .\n      sbom: [x]\n')).toEqual([
      'compose.yaml:5:13: services.web.build.sbom: must be a boolean or string',
    ]);
  });
  it('reports an unknown top-level key at the key', () => {
    expect(check('servics:\n  web:\n    image: nginx\n')).toEqual(["compose.yaml:1:1: additional properties 'servics' not allowed"]);
  });
});

describe('choice and format errors quote the refused value (issue 13)', () => {
  it('enum: "<value>" is not one of …', () => {
    const src = 'services:\n  web:\n    image: nginx\n    depends_on:\n      db:\n        condition: service_ready\n  db:\n    image: x\n';
    expect(check(src)).toEqual([
      'compose.yaml:6:20: services.web.depends_on.db.condition: "service_ready" is not one of: service_started, service_healthy, service_completed_successfully',
    ]);
    expect(check('services:\n  web:\n    image: nginx\n    cgroup: weird\n')).toEqual(['compose.yaml:4:13: services.web.cgroup: "weird" is not one of: host, private']);
  });
  it('pattern: "<value>" does not match pattern …', () => {
    expect(check('services:\n  web:\n    image: nginx\n    pull_policy: sometimes\n')[0]).toMatch(/^compose\.yaml:4:18: services\.web\.pull_policy: "sometimes" does not match pattern "always\|never/);
  });
});
