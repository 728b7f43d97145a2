import { describe, expect, it } from 'vitest';
import { capstan, engine, setup } from './helpers.js';

/**
 * Issue 9 item 7: what compose accepts, Capstan accepts (`config`), and the mount option that
 * does not fit its type is only a warning when the container is created, as in docker compose.
 */
const file = `services:
  web:
    image: busybox
    init: true
    command: sleep 300 && echo never
    ports: ["\${BIND:-}:0:80"]
    volumes: ["db:/data:Z"]
    scale: 2
volumes:
  db: {}
`;

describe('lenient where compose is lenient', () => {
  const { project, dir } = setup('lenient', { 'compose.yaml': file });

  it('config accepts db:/data:Z and ":0:80", and cuts `a && b` at the operator with a warning', async () => {
    const r = await capstan(['-p', project, 'config', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const web = JSON.parse(r.stdout).services.web;
    expect(web.command).toEqual(['sleep', '300']);
    expect(web.ports).toEqual([{ mode: 'ingress', target: 80, published: '0', protocol: 'tcp' }]);
    expect(web.volumes[0]).toEqual({ type: 'volume', source: 'db', target: '/data', volume: {}, bind: { selinux: 'Z', create_host_path: true } });
    expect(r.stderr).toContain('compose.yaml:5:14: services.web.command: the string command stops at the unquoted "&&"');
  });

  it('up warns once that a volume mount should not define bind options, and runs the cut command', async () => {
    const r = await capstan(['-p', project, 'up', '-d'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('mount of type `volume` should not define `bind` option')).toHaveLength(2);
    const c = await engine.inspectContainer(`${project}-web-1`);
    expect(c.Config?.Cmd).toEqual(['sleep', '300']);
  });
});
