import { describe, expect, it } from 'vitest';
import { implicitDependencies } from './dependencies.js';

describe('implicitDependencies', () => {
  it('links and service: namespaces restart with their target, volumes_from does not; never itself, never container:', () => {
    expect(
      implicitDependencies({
        name: 'app',
        links: ['db:database', 'cache'],
        network_mode: 'service:vpn',
        ipc: 'service:app',
        pid: 'host',
        volumes_from: ['data:ro', 'container:x'],
      }),
    ).toEqual([
      { on: 'db', restart: true },
      { on: 'cache', restart: true },
      { on: 'vpn', restart: true },
      { on: 'data', restart: false },
    ]);
  });
});
