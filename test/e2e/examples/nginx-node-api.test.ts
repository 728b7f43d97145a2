import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, capstan, cleanup, engine, httpGet, leftovers, uniqueProject, freePort } from '../helpers.js';

/** Debian's chromium (scripts/browser.sh installs it); playwright-core never downloads one. */
const CHROMIUM = process.env.CAPSTAN_CHROMIUM ?? '/usr/bin/chromium';
/** Where the test keeps its screenshot after the run. */
const ARTIFACTS = join(tmpdir(), 'capstan-e2e-artifacts');

/**
 * Issue 12, example 2: examples/nginx-node-api (nginx serving a page and proxying /api/ to an
 * Express backend by service name) under its own project name and host port: `/` serves the
 * page, `/api/data` answers the backend's JSON through nginx, and in headless Chromium a click on
 * the page's button shows the backend's message; the screenshot is kept under the OS temp dir.
 */
const project = uniqueProject('nna');
const cwd = join(ROOT, 'examples', 'nginx-node-api');

describe('examples/nginx-node-api', () => {
  afterAll(async () => {
    await cleanup(project);
    await engine.removeImage(`${project}-api`, { force: true }).catch(() => undefined);
  });

  it('serves the page, proxies /api/ to the backend, and the button shows its message in a browser', async () => {
    const env = { NGINX_NODE_API_PORT: String(await freePort()) };
    const base = `http://127.0.0.1:${env.NGINX_NODE_API_PORT}`;

    const up = await capstan(['-p', project, 'up', '-d', '--wait'], { cwd, env });
    expect(up.stderr).not.toMatch(/^error/m);
    expect(up.code).toBe(0);
    expect(up.stderr).toContain(`Container ${project}-web-1  Healthy`);

    const page = await httpGet(`${base}/`);
    expect(page).toContain('<button id="load">Ask the API</button>');

    const res = await fetch(`${base}/api/data`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('server')).toMatch(/^nginx/);
    const data = (await res.json()) as { message: string; host: string };
    expect(data.message).toBe('Hello from the Express backend');
    // The answer comes from the api container (its hostname is its short container ID).
    const api = await engine.inspectContainer(`${project}-api-1`);
    expect(api.Id!.startsWith(data.host)).toBe(true);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const tab = await browser.newPage();
      await tab.goto(`${base}/`);
      await expect.poll(() => tab.textContent('#message')).toBe('(no answer yet)');
      await tab.click('#load');
      await expect.poll(() => tab.textContent('#message'), { timeout: 10_000 }).toBe('Hello from the Express backend');
      mkdirSync(ARTIFACTS, { recursive: true });
      await tab.screenshot({ path: join(ARTIFACTS, 'nginx-node-api.png') });
    } finally {
      await browser.close();
    }

    const down = await capstan(['-p', project, 'down'], { cwd, env });
    expect(down.code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
