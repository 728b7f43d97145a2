import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../engine/types.js';
import { lookUpPortConflict, portConflictHint, portHolders } from './port-conflict.js';

const containers: ContainerSummary[] = [
  { Names: ['/shop-web-1'], Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 9000, Type: 'tcp' }], Labels: { 'com.docker.compose.project': 'shop' } },
  { Names: ['/blog-web-1'], Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8000, Type: 'tcp' }], Labels: { 'com.docker.compose.project': 'blog' } },
  { Names: ['/loose'], Ports: [{ IP: '::', PrivatePort: 53, PublicPort: 5353, Type: 'udp' }], Labels: {} },
] as ContainerSummary[];

describe('port conflict hint', () => {
  it('names the project holding the port and `capstan ls`', async () => {
    expect(portHolders(containers, 8000)).toEqual([{ container: 'blog-web-1', project: 'blog' }]);
    const hint = await lookUpPortConflict({ listContainers: async () => containers }, 8000, 'tcp', 'shop-web-2');
    expect(hint).toBe('port 8000 is held by project "blog" (container blog-web-1) — `capstan ls` lists projects; `capstan -p blog down` frees it, or change the published port');
  });

  it('a container outside compose, a host process, the protocol and the failing container itself', () => {
    expect(portConflictHint(5353, portHolders(containers, 5353, 'udp'))).toMatch(/held by container loose, not part of a compose project/);
    expect(portHolders(containers, 5353, 'tcp')).toEqual([]);
    expect(portHolders(containers, 8000, 'tcp', 'blog-web-1')).toEqual([]);
    expect(portConflictHint(1234, [])).toMatch(/another process on this host uses it .*`capstan ls`/);
  });

  it('a failed lookup still gives a hint', async () => {
    expect(await lookUpPortConflict({ listContainers: async () => Promise.reject(new Error('down')) }, 80)).toMatch(/change the published port/);
  });
});
