import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../model/types.js';
import { checkConsistency } from './consistency.js';
import type { NormalizedModel } from './normalize.js';

const model = (services: Record<string, ServiceConfig>): NormalizedModel => ({
  services,
  networks: { n: { name: 'p_n' } },
  volumes: {},
  secrets: { s: { name: 'p_s', file: '/s' } },
  configs: {},
  extensions: {},
});
const check = (svc: Omit<ServiceConfig, 'name'>) => {
  const services = { a: { name: 'a', ...svc } as ServiceConfig };
  return () => checkConsistency(model(services), services, {});
};

describe('checkConsistency', () => {
  it("words network_mode + networks as compose does", () => {
    expect(check({ image: 'x', network_mode: 'bridge', networks: { n: null } })).toThrow(
      'service a declares mutually exclusive `network_mode` and `networks`: invalid compose project',
    );
    expect(check({ image: 'x', network_mode: 'bridge' })).not.toThrow();
  });
  it('rejects resources that differ from deploy.resources', () => {
    expect(check({ image: 'x', cpus: 1, deploy: { resources: { limits: { cpus: 2 } } } })).toThrow(
      "can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus'",
    );
    expect(check({ image: 'x', mem_limit: 1024, deploy: { resources: { limits: { memory: 2048 } } } })).toThrow(/'mem_limit' and 'deploy\.resources\.limits\.memory'/);
    expect(check({ image: 'x', mem_limit: 1024, cpus: 0.5, deploy: { resources: { limits: { memory: 1024, cpus: 0.5 } } } })).not.toThrow();
  });
  it('rejects undefined build secrets', () => {
    expect(check({ build: { context: '/c', secrets: [{ source: 'nope' }] } })).toThrow(/undefined build secret nope/);
    expect(check({ build: { context: '/c', secrets: [{ source: 's' }] } })).not.toThrow();
  });
  it('accepts a provider service with neither image nor build, and nothing else without them', () => {
    expect(check({ provider: { type: 'model', options: { model: 'ai/x' } } })).not.toThrow();
    expect(check({ environment: { A: '1' } })).toThrow('service "a" has neither an image nor a build context specified');
  });
  it('rejects container_name with more than one replica, from scale or deploy.replicas', () => {
    const msg = "services.a: can't set container_name and a as container name must be unique: invalid compose project";
    expect(check({ image: 'x', container_name: 'c', scale: 2 })).toThrow(msg);
    expect(check({ image: 'x', container_name: 'c', deploy: { replicas: 2 } })).toThrow(msg);
    expect(check({ image: 'x', container_name: 'c', deploy: { replicas: 1 } })).not.toThrow();
    expect(check({ image: 'x', container_name: 'c' })).not.toThrow();
  });
  it('requires platform to be one of build.platforms', () => {
    expect(check({ platform: 'linux/riscv64', build: { context: '/c', platforms: ['linux/amd64', 'linux/arm64'] } })).toThrow(
      'service.build.platforms MUST include service.platform "linux/riscv64"',
    );
    expect(check({ platform: 'linux/arm64', build: { context: '/c', platforms: ['linux/amd64', 'linux/arm64'] } })).not.toThrow();
  });
});

describe('checkConsistency depends_on', () => {
  const dep = (required: boolean) => ({ condition: 'service_started' as const, required });
  const run = (required: boolean, disabled: Record<string, ServiceConfig>) => {
    const services = { a: { name: 'a', image: 'x', depends_on: { b: dep(required) } } as ServiceConfig };
    return () => checkConsistency(model(services), services, disabled);
  };
  const b = { name: 'b', image: 'x', profiles: ['p'] } as ServiceConfig;
  it('skips an optional dependency on a service disabled by profiles', () => {
    expect(run(false, { b })).not.toThrow();
    expect(run(true, { b })).toThrow('service "b" was pulled in as a dependency of service "a" but is not enabled by the active profiles');
  });
  it('rejects a dependency on an undefined service even when it is not required', () => {
    expect(run(false, {})).toThrow('service "a" depends on undefined service "b": invalid compose project');
    expect(run(true, {})).toThrow('service "a" depends on undefined service "b": invalid compose project');
  });
});
