// A stand-in Docker engine for scripts/build.mjs, on a unix socket: just enough of the Engine API
// (in memory) for `capstan up -d`, `ps`, `up --dry-run` and `down -v` of a small busybox project to
// run through, so the V8 code cache of dist/cli.cjs holds what those commands compile. Build
// tooling only: the tests never use it (e2e tests run against the real daemon).
import http from 'node:http';
import { createHash } from 'node:crypto';

/**
 * Starts the stand-in on `socketPath`; resolves with `close()`. Every image exists (as an empty
 * busybox-like image), containers start and stop at once, unknown endpoints answer 404.
 */
export async function startWarmUpEngine(socketPath) {
  const containers = new Map(); // id → { id, name, body, running }
  const networks = new Map(); // name → { Id, Name, Labels, ... }
  const volumes = new Map(); // name → { Name, Labels, ... }
  const id = (s) => createHash('sha256').update(s).digest('hex');

  const matches = (labels, filters) => {
    const wanted = filters.label ?? [];
    return wanted.every((f) => {
      const [k, v] = f.split('=');
      return v === undefined ? k in (labels ?? {}) : labels?.[k] === v;
    });
  };
  const named = (name, filters) => !filters.name || filters.name.some((n) => name.includes(n));
  // as the engine reports them: binds (host:container[:mode]) and mounts of the create body
  const mounts = (body) => [
    ...(body.HostConfig?.Binds ?? []).map((b) => ({ Type: 'bind', Source: b.split(':')[0], Destination: b.split(':')[1] })),
    ...(body.HostConfig?.Mounts ?? []).map((m) => ({ Type: m.Type, Name: m.Source, Source: m.Source ?? '', Destination: m.Target })),
  ];
  const summary = (c) => ({
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.body.Image,
    ImageID: `sha256:${id(c.body.Image)}`,
    Command: (c.body.Cmd ?? []).join(' '),
    Created: Math.floor(Date.now() / 1000),
    Labels: c.body.Labels ?? {},
    State: c.running ? 'running' : 'exited',
    Status: c.running ? 'Up 1 second' : 'Exited (0) 1 second ago',
    Ports: [],
    Mounts: mounts(c.body),
    NetworkSettings: { Networks: Object.fromEntries(Object.keys(c.endpoints).map((n) => [n, { NetworkID: networks.get(n)?.Id ?? '' }])) },
  });
  const inspect = (c) => ({
    Id: c.id,
    Name: `/${c.name}`,
    Image: `sha256:${id(c.body.Image)}`,
    Config: { ...c.body, Labels: c.body.Labels ?? {} },
    HostConfig: c.body.HostConfig ?? {},
    State: { Status: c.running ? 'running' : 'exited', Running: c.running, ExitCode: 0, StartedAt: new Date(0).toISOString() },
    NetworkSettings: { Networks: c.endpoints },
    Mounts: mounts(c.body),
  });
  const find = (ref) => containers.get(ref) ?? [...containers.values()].find((c) => c.name === ref || c.id.startsWith(ref));

  const routes = [
    ['GET', /^\/_ping$/, () => [200, 'OK']],
    ['GET', /^\/version$/, () => [200, { ApiVersion: '1.41', Version: '20.10.24', Os: 'linux', Arch: 'amd64' }]],
    ['GET', /^\/containers\/json$/, (m, q) => [200, [...containers.values()].filter((c) => matches(c.body.Labels, q.filters) && named(c.name, q.filters)).map(summary)]],
    ['GET', /^\/containers\/([^/]+)\/json$/, (m) => (find(m[1]) ? [200, inspect(find(m[1]))] : [404, { message: `No such container: ${m[1]}` }])],
    ['POST', /^\/containers\/create$/, (m, q, body) => {
      const c = { id: id(`container ${q.name}`), name: q.name, body, running: false, endpoints: { ...(body.NetworkingConfig?.EndpointsConfig ?? {}) } };
      containers.set(c.id, c);
      return [201, { Id: c.id, Warnings: [] }];
    }],
    ['POST', /^\/containers\/([^/]+)\/(start|stop|restart|kill)$/, (m) => {
      const c = find(m[1]);
      if (!c) return [404, { message: `No such container: ${m[1]}` }];
      c.running = m[2] === 'start' || m[2] === 'restart';
      return [204];
    }],
    ['POST', /^\/containers\/([^/]+)\/wait$/, () => [200, { StatusCode: 0 }]],
    ['POST', /^\/containers\/([^/]+)\/rename$/, (m, q) => {
      const c = find(m[1]);
      if (c) c.name = q.name;
      return [204];
    }],
    ['DELETE', /^\/containers\/([^/]+)$/, (m) => (containers.delete(find(m[1])?.id) ? [204] : [404, { message: `No such container: ${m[1]}` }])],
    ['GET', /^\/images\/(.+)\/json$/, (m) => [200, { Id: `sha256:${id(m[1])}`, RepoTags: [m[1]], RepoDigests: [], Config: { Cmd: ['sh'], Env: ['PATH=/bin'] }, Os: 'linux', Architecture: 'amd64' }]],
    ['GET', /^\/networks$/, (m, q) => [200, [...networks.values()].filter((n) => matches(n.Labels, q.filters) && named(n.Name, q.filters))]],
    ['POST', /^\/networks\/create$/, (m, q, body) => {
      const n = { ...body, Id: id(`network ${body.Name}`), Driver: body.Driver ?? 'bridge', Scope: 'local', IPAM: body.IPAM ?? { Driver: 'default', Config: [] }, Options: body.Options ?? {}, Labels: body.Labels ?? {} };
      networks.set(body.Name, n);
      return [201, { Id: n.Id }];
    }],
    ['POST', /^\/networks\/([^/]+)\/(connect|disconnect)$/, (m, q, body) => {
      const c = find(body.Container);
      if (c && m[2] === 'connect') c.endpoints[m[1]] = body.EndpointConfig ?? {};
      if (c && m[2] === 'disconnect') delete c.endpoints[m[1]];
      return [200];
    }],
    ['DELETE', /^\/networks\/([^/]+)$/, (m) => (networks.delete(m[1]) ? [204] : [404, { message: `network ${m[1]} not found` }])],
    ['GET', /^\/volumes$/, (m, q) => [200, { Volumes: [...volumes.values()].filter((v) => matches(v.Labels, q.filters) && named(v.Name, q.filters)), Warnings: [] }]],
    ['POST', /^\/volumes\/create$/, (m, q, body) => {
      const v = { Name: body.Name, Driver: body.Driver ?? 'local', Labels: body.Labels ?? {}, Options: body.DriverOpts ?? {}, Mountpoint: `/var/lib/docker/volumes/${body.Name}/_data`, Scope: 'local' };
      volumes.set(body.Name, v);
      return [201, v];
    }],
    ['DELETE', /^\/volumes\/([^/]+)$/, (m) => (volumes.delete(m[1]) ? [204] : [404, { message: `no such volume: ${m[1]}` }])],
  ];

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://engine');
      const path = decodeURIComponent(url.pathname.replace(/^\/v1\.\d+/, ''));
      const q = Object.fromEntries(url.searchParams);
      q.filters = q.filters ? JSON.parse(q.filters) : {};
      let body = {};
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        // not JSON (an archive): ignored
      }
      const route = routes.find(([method, re]) => method === req.method && re.test(path));
      const [status, payload] = route ? route[2](route[1].exec(path), q, body) : [404, { message: `${req.method} ${path}: not in the warm-up engine` }];
      res.writeHead(status, { 'Api-Version': '1.41', ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }) });
      res.end(payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload));
    });
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  return {
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
