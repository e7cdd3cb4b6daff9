import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
let missing: TestServer;
let root: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-desk-'));
  const desk = path.join(root, 'desk');
  fs.mkdirSync(path.join(desk, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(desk, 'index.html'), '<!doctype html><html><head><script type="module" src="./assets/index-abc123.js"></script></head><body></body></html>');
  fs.writeFileSync(path.join(desk, 'assets', 'index-abc123.js'), 'console.log(1)');
  fs.mkdirSync(path.join(root, 'updates', 'stable'), { recursive: true });
  fs.writeFileSync(path.join(root, 'updates', 'stable', 'latest.yml'), 'version: 1.2.3\n');
  fs.writeFileSync(path.join(root, 'updates', 'stable', 'Carebridge Setup 1.2.3.exe'), 'MZ');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'do not serve');
  server = await startTestServer({ DESK_DIR: desk, UPDATES_DIR: path.join(root, 'updates') });
  missing = await startTestServer({ DESK_DIR: path.join(root, 'not-built'), UPDATES_DIR: path.join(root, 'none') });
});
afterAll(async () => {
  await server.close();
  await missing.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const get = (base: TestServer, p: string) => fetch(`${base.url}${p}`, { redirect: 'manual' });

describe('/desk', () => {
  it('redirects /desk to /desk/ and serves index.html uncached with a base href and a strict CSP', async () => {
    const redirect = await get(server, '/desk');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/desk/');
    const res = await get(server, '/desk/');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
    expect(csp).toContain("frame-ancestors 'none'");
    // Monaco's run-time <style> elements (the Scripts editor); scripts stay same-origin only.
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(await res.text()).not.toContain('<base');
  });

  it('serves hashed assets as immutable, falls back to the app for client routes and 404s missing assets', async () => {
    const asset = await get(server, '/desk/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
    const route = await get(server, '/desk/conversations/abc');
    expect(route.status).toBe(200);
    const html = await route.text();
    expect(html).toContain('index-abc123.js');
    expect(html).toContain('<base href="/desk/">');
    expect((await get(server, '/desk/assets/gone-123.js')).status).toBe(404);
    expect((await get(server, '/desk/..%2fsecret.txt')).status).toBe(404);
  });

  it('says how to build the renderer when it is not built', async () => {
    const res = await get(missing, '/desk/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});

describe('/updates/<channel>/', () => {
  it('serves the update feed and installers of a channel', async () => {
    const feed = await get(server, '/updates/stable/latest.yml');
    expect(feed.status).toBe(200);
    expect(feed.headers.get('cache-control')).toBe('no-cache');
    expect(await feed.text()).toContain('1.2.3');
    const installer = await get(server, `/updates/stable/${encodeURIComponent('Carebridge Setup 1.2.3.exe')}`);
    expect(installer.status).toBe(200);
  });

  it('rejects traversal, bad channel names and absent files with 404', async () => {
    for (const p of ['/updates/stable/..%2f..%2fsecret.txt', '/updates/..%2fsecret.txt/x', '/updates/Stable/latest.yml', '/updates/beta/latest.yml', '/updates/stable/.hidden', '/updates/stable/nope.yml', `/updates/${'a'.repeat(33)}/latest.yml`]) {
      const res = await get(server, p);
      expect(res.status, p).toBe(404);
      expect(await res.text()).not.toContain('do not serve');
    }
    expect((await get(missing, '/updates/stable/latest.yml')).status).toBe(404);
  });
});
