import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy } from '../security/csp.js';
import { createAppProtocolHandler, resolveAppPath } from './app-protocol.js';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-app-protocol-'));
const root = path.join(base, 'renderer');
fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Carebridge</title><div id="root"></div>');
fs.writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log("app")');
fs.writeFileSync(path.join(root, 'assets', 'index-abc123.css'), 'body{}');
fs.writeFileSync(path.join(base, 'secret.txt'), 'outside the renderer');
fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const csp = buildContentSecurityPolicy('http://localhost:4000');
const serve = createAppProtocolHandler({ rootDir: root, contentSecurityPolicy: () => csp });

describe('app:// protocol', () => {
  it('serves the entry page and assets with the CSP and the right types', async () => {
    const page = await serve({ url: 'app://desk/index.html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(csp);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<div id="root">');

    const bare = await serve({ url: 'app://desk/' });
    expect(bare.status).toBe(200);

    const script = await serve({ url: 'app://desk/assets/index-abc123.js' });
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log("app")');
    const style = await serve({ url: 'app://desk/assets/index-abc123.css?v=1' });
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it.each([
    'app://desk/../../etc/passwd',
    'app://desk/%2e%2e/%2e%2e/etc/passwd',
    'app://desk/..%2F..%2Fsecret.txt',
    'app://desk/assets/..%2f..%2f..%2fsecret.txt',
    'app://desk/..%5C..%5Csecret.txt',
    'app://desk/assets/%00.js',
    'app://desk/%E0%A4%A',
    'app://desk/assets/link.txt',
    'app://desk/missing.js',
    'app://other/index.html',
    'app://user:pw@desk/index.html',
    'file:///etc/passwd',
    'not a url',
  ])('answers 404 for %s', async (url) => {
    const res = await serve({ url });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBe(csp);
    expect(await res.text()).not.toContain('outside the renderer');
  });

  it('never resolves outside the root', () => {
    expect(resolveAppPath('app://desk/../../etc/passwd', root)).toBe(path.join(root, 'etc', 'passwd'));
    expect(resolveAppPath('app://desk/..%2F..%2Fsecret.txt', root)).toBeNull();
  });

  it('refuses methods other than GET and HEAD', async () => {
    const res = await serve({ url: 'app://desk/index.html', method: 'POST' });
    expect(res.status).toBe(405);
    const head = await serve({ url: 'app://desk/index.html', method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('explains a missing build instead of showing a blank window', async () => {
    const empty = createAppProtocolHandler({ rootDir: path.join(base, 'nothing-built'), contentSecurityPolicy: () => csp });
    const res = await empty({ url: 'app://desk/index.html' });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('could not find its interface files');
  });
});
