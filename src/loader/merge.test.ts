import { describe, expect, it } from 'vitest';
import { mergeLayers, stripMarkers } from './merge.js';
import { parseYaml } from './yaml.js';

const y = (s: string) => parseYaml(s, 'x.yaml')[0]!.data;

describe('mergeLayers', () => {
  it('merges mappings, appends sequences, later scalars win', () => {
    const out = mergeLayers([
      y('services:\n  web:\n    image: a\n    ports: ["80:80"]\n    deploy: {replicas: 1, resources: {limits: {cpus: "1"}}}\n'),
      y('services:\n  web:\n    image: b\n    ports: ["81:81"]\n    deploy: {replicas: 2}\n  db:\n    image: pg\n'),
    ]);
    expect(out).toEqual({
      services: {
        web: { image: 'b', ports: ['80:80', '81:81'], deploy: { replicas: 2, resources: { limits: { cpus: '1' } } } },
        db: { image: 'pg' },
      },
    });
  });
  it('replaces command/entrypoint/healthcheck.test and merges environment by key', () => {
    const out = mergeLayers([
      y('services:\n  w:\n    command: [a, b]\n    healthcheck: {test: [CMD, x], retries: 3}\n    environment: [A=1, B=2]\n    labels: {l: "1"}\n'),
      y('services:\n  w:\n    command: [c]\n    healthcheck: {test: [CMD, y]}\n    environment: {B: "3", C: "4"}\n    labels: [m=2]\n'),
    ]);
    expect(out.services).toEqual({
      w: {
        command: ['c'],
        healthcheck: { test: ['CMD', 'y'], retries: 3 },
        environment: { A: '1', B: '3', C: '4' },
        labels: { l: '1', m: '2' },
      },
    });
  });
  it('turns depends_on / networks lists into maps and build strings into objects', () => {
    const out = mergeLayers([
      y('services:\n  w:\n    depends_on: [db]\n    networks: [front]\n    build: ./app\n'),
      y('services:\n  w:\n    depends_on: {cache: {condition: service_healthy}}\n    networks: {back: {aliases: [x]}}\n    build: {target: dev}\n'),
    ]);
    expect(out.services).toEqual({
      w: {
        depends_on: { db: { condition: 'service_started', required: true }, cache: { condition: 'service_healthy' } },
        networks: { front: null, back: { aliases: ['x'] } },
        build: { context: './app', target: 'dev' },
      },
    });
  });
  it('honours !reset and !override', () => {
    const out = mergeLayers([
      y('services:\n  w:\n    ports: ["80:80"]\n    environment: {A: "1", B: "2"}\n    volumes: [a:/a]\n'),
      y('services:\n  w:\n    ports: !reset []\n    environment:\n      B: !reset\n    volumes: !override [b:/b]\n'),
    ]);
    expect(out.services).toEqual({ w: { environment: { A: '1' }, volumes: ['b:/b'] } });
  });
  it('rejects a mapping replaced by a sequence', () => {
    expect(() => mergeLayers([y('services:\n  w:\n    deploy: {replicas: 1}\n'), y('services:\n  w:\n    deploy: [1]\n')])).toThrow(
      /cannot override services\.w\.deploy/,
    );
  });
  it('dedupes list attributes', () => {
    const out = mergeLayers([y('services:\n  w:\n    cap_add: [A, B]\n    dns: 1.1.1.1\n'), y('services:\n  w:\n    cap_add: [B, C]\n    dns: [1.1.1.1, 8.8.8.8]\n')]);
    expect(out.services).toEqual({ w: { cap_add: ['A', 'B', 'C'], dns: ['1.1.1.1', '8.8.8.8'] } });
  });
  it('strips markers from a single file', () => {
    expect(stripMarkers(y('a: !reset x\nb: !override [1]\nc: [1, !reset 2]\n'))).toEqual({ b: [1], c: [1] });
  });
});
