import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/server.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { openDatabase } from '../platform/db/index.js';
import { createApp } from '../app.js';
import { compose } from '../composition.js';
import { realtimeCorsOrigin, redactTokenPath } from './cors.js';

let server: TestServer;
let missing: TestServer;
let anyOrigin: TestServer;
let root: string;
const CLINIC = 'https://clinic.example';

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-portal-'));
  const portal = path.join(root, 'portal');
  fs.mkdirSync(path.join(portal, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(portal, 'index.html'), '<!doctype html><html><head><script type="module" src="/portal/assets/index-abc123.js"></script></head><body></body></html>');
  fs.writeFileSync(path.join(portal, 'assets', 'index-abc123.js'), 'console.log(1)');
  fs.writeFileSync(path.join(portal, 'widget.js'), '(function(){})()');
  fs.writeFileSync(path.join(portal, 'widget-cards.js'), '(function(){window.cards=1})()');
  fs.writeFileSync(path.join(portal, 'embed-demo.html'), '<!doctype html><title>demo</title><script src="/widget.js" async></script>');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'do not serve');
  [server, missing, anyOrigin] = await Promise.all([
    startTestServer({ PORTAL_DIR: portal, WIDGET_ORIGINS: `${CLINIC}, https://other-clinic.example` }),
    startTestServer({ PORTAL_DIR: path.join(root, 'not-built') }),
    startTestServer({ PORTAL_DIR: portal, WIDGET_ORIGINS: '*' }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.close(), missing?.close(), anyOrigin?.close()]);
  fs.rmSync(root, { recursive: true, force: true });
});

const get = (base: TestServer, p: string, headers: Record<string, string> = {}) => fetch(`${base.url}${p}`, { redirect: 'manual', headers });

describe('/portal', () => {
  it('redirects /portal to /portal/ and serves the app uncached under a strict CSP that allows the chat', async () => {
    const redirect = await get(server, '/portal?x=1');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/portal/?x=1');
    const res = await get(server, '/portal/');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(await res.text()).toContain('/portal/assets/index-abc123.js');
  });

  it('serves hashed assets as immutable and the embed demo page; client routes get the app; missing files 404', async () => {
    const asset = await get(server, '/portal/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const demo = await get(server, '/portal/embed-demo.html');
    expect(demo.status).toBe(200);
    expect(demo.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await demo.text()).toContain('<script src="/widget.js"');
    expect((await get(server, '/portal/appointments/next')).status).toBe(200);
    expect((await get(server, '/portal/assets/gone-123.js')).status).toBe(404);
    expect((await get(server, '/portal/nothing.html')).status).toBe(404);
    expect((await get(server, '/portal/..%2fsecret.txt')).status).toBe(404);
    expect((await get(server, '/portal/%2e%2e/secret.txt')).status).toBe(404);
  });

  it('says the portal is not built yet (503) when the build is missing, for the app, the survey page and the widget', async () => {
    for (const p of ['/portal/', '/portal/some/route', '/survey/abcdefghijkl']) {
      const res = await get(missing, p);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('not built yet');
    }
    const widget = await get(missing, '/widget.js');
    expect(widget.status).toBe(503);
    expect(widget.headers.get('cache-control')).toBe('no-store');
  });
});

describe('/survey/:token', () => {
  it('serves the portal app, never cached, with the CSP and no referrer', async () => {
    const res = await get(server, '/survey/tok_abcdefghijklmnop');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('/portal/assets/index-abc123.js');
  });

  it('keeps survey tokens out of the access log', async () => {
    expect(redactTokenPath('/survey/abc')).toBe('/survey/:token');
    expect(redactTokenPath('/api/surveys/by-token/abc')).toBe('/api/surveys/by-token/:token');
    expect(redactTokenPath('/api/surveys/responses')).toBe('/api/surveys/responses');
    expect(redactTokenPath('/survey/')).toBe('/survey/');

    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-portal-log-'));
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`, JWT_SECRET: 'x'.repeat(40), PORTAL_DIR: path.join(root, 'portal') });
    const database = await openDatabase(config.databasePath);
    const context = compose({ config, logger: pino({ level: 'info' }, sink), database });
    const httpServer = http.createServer(createApp(context)).listen(0, '127.0.0.1');
    await new Promise((r) => httpServer.once('listening', r));
    try {
      const base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
      expect((await fetch(`${base}/survey/SECRET-TOKEN-123456`)).status).toBe(200);
      await fetch(`${base}/api/surveys/by-token/SECRET-TOKEN-654321`);
      expect((await fetch(`${base}/portal/`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
      const all = lines.join('');
      expect(all).toContain('"path":"/portal/"');
      expect(all).toContain('"path":"/survey/:token"');
      expect(all).not.toContain('SECRET-TOKEN');
    } finally {
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
      await context.close();
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('/widget.js and /widget-cards.js', () => {
  it.each([
    ['/widget.js', '(function(){})()'],
    ['/widget-cards.js', '(function(){window.cards=1})()'],
  ])('%s is public JavaScript any site may load, cached for five minutes', async (file, body) => {
    const res = await get(server, file, { origin: 'https://anywhere.example' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('etag')).toBeTruthy();
    expect(await res.text()).toBe(body);
  });
});

describe('cross-origin access for the widget (WIDGET_ORIGINS)', () => {
  const preflight = (base: TestServer, p: string, origin: string, headers = 'content-type') =>
    fetch(`${base.url}${p}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });

  it('lets a listed clinic site start a visitor chat, without credentials', async () => {
    const pre = await preflight(server, '/api/chat/visitor', CLINIC);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(CLINIC);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toContain('Content-Type');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const res = await fetch(`${server.url}/api/chat/visitor`, {
      method: 'POST',
      headers: { origin: 'https://other-clinic.example', 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Vera' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://other-clinic.example');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('covers the attachment and transcript paths, with the Authorization header', async () => {
    for (const p of ['/api/conversations/c-1/attachments?clientMessageId=a&fileName=x.png', '/api/conversations/c-1/attachments/att-1', '/api/conversations/c-1/transcript?format=text']) {
      const pre = await preflight(server, p, CLINIC, 'authorization, content-type');
      expect(pre.status, p).toBe(204);
      expect(pre.headers.get('access-control-allow-headers')).toContain('Authorization');
    }
  });

  it('refuses other sites and every other API path', async () => {
    const evil = await preflight(server, '/api/chat/visitor', 'https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    for (const p of ['/api/auth/login', '/api/presence', '/api/conversations/c-1', '/api/audit']) {
      const res = await preflight(server, p, CLINIC);
      expect(res.headers.get('access-control-allow-origin'), p).toBeNull();
    }
    // Nothing configured (the default): no site at all.
    expect((await preflight(missing, '/api/chat/visitor', CLINIC)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('with WIDGET_ORIGINS=*, any site may use the widget endpoints (never with credentials)', async () => {
    const res = await fetch(`${anyOrigin.url}/api/chat/visitor`, {
      method: 'POST',
      headers: { origin: 'https://random-site.example', 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Vera' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect((await preflight(anyOrigin, '/api/auth/login', 'https://random-site.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the live channel accepts the listed sites (socket.io polling handshake)', async () => {
    const handshake = (base: TestServer, origin: string) => fetch(`${base.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    const ok = await handshake(server, CLINIC);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(CLINIC);
    expect((await handshake(server, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await handshake(missing, 'app://desk')).headers.get('access-control-allow-origin')).toBe('app://desk');
    expect(realtimeCorsOrigin({ CORS_ORIGINS: [], WIDGET_ORIGINS: ['*'] })).toBe('*');
    expect(realtimeCorsOrigin({ CORS_ORIGINS: ['https://a.example'], WIDGET_ORIGINS: [CLINIC] })).toEqual(['app://desk', 'https://a.example', CLINIC]);
  });

  it('rejects a malformed WIDGET_ORIGINS at start with one clear line', () => {
    for (const bad of ['clinic.example', 'https://clinic.example/path', 'https://*.clinic.example', 'javascript:alert(1)']) {
      expect(() => loadConfig({ WIDGET_ORIGINS: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ WIDGET_ORIGINS: bad })).toThrow(/WIDGET_ORIGINS/);
    }
    expect(loadConfig({ WIDGET_ORIGINS: ' https://a.example ,* ' }).WIDGET_ORIGINS).toEqual(['https://a.example', '*']);
  });
});
