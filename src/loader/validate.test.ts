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
      'compose.yaml:6:20: services.web.depends_on.db.condition: must be one of: service_started, service_healthy, service_completed_successfully',
    ]);
  });
  it('merges type alternatives', () => {
    expect(check('services:\n  web:\n    image: nginx\n    command: {a: 1}\n')).toEqual([
      'compose.yaml:4:14: services.web.command: must be a list, null or string',
    ]);
  });
  it('reports an unknown top-level key at the key', () => {
    expect(check('servics:\n  web:\n    image: nginx\n')).toEqual(["compose.yaml:1:1: additional properties 'servics' not allowed"]);
  });
});
