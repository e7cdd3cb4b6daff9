import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy, connectSourcesFor, trustedOrigins } from './csp.js';
import { decideNavigation, externalAllowlistFor, isAllowedExternalUrl } from './external-urls.js';
import { isPermissionGranted } from './permissions.js';
import { checkSenderFrame } from './sender.js';
import { APP_SCHEME_PRIVILEGES, secureWebPreferences } from './web-preferences.js';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
}

describe('content security policy', () => {
  it('locks connect-src to the configured server and its websocket origin', () => {
    const csp = directives(buildContentSecurityPolicy('https://carebridge.clinic.example/base'));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'", 'https://carebridge.clinic.example', 'wss://carebridge.clinic.example']);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(csp.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('maps a plain-http server to ws: and keeps its port', () => {
    expect(connectSourcesFor('http://localhost:4000')).toEqual(['http://localhost:4000', 'ws://localhost:4000']);
  });

  it('never allows inline or eval scripts, whatever the server', () => {
    for (const server of [null, 'https://a.example', 'http://127.0.0.1:4000']) {
      const script = directives(buildContentSecurityPolicy(server)).get('script-src')!;
      expect(script).toEqual(["'self'"]);
    }
  });

  it('without a configured server allows only https/wss and this machine (the address is typed at sign-in)', () => {
    const connect = directives(buildContentSecurityPolicy(null)).get('connect-src')!;
    expect(connect).toContain('https:');
    expect(connect).toContain('wss:');
    expect(connect).not.toContain('http:');
    expect(connect).not.toContain('*');
  });

  it('ignores a server URL that is not http(s)', () => {
    expect(connectSourcesFor('javascript:alert(1)')).not.toContain('javascript:');
    expect(trustedOrigins('file:///etc/passwd')).toEqual(['app://desk']);
    expect(trustedOrigins('https://srv.example:8443/x')).toEqual(['app://desk', 'https://srv.example:8443']);
  });
});

describe('isAllowedExternalUrl', () => {
  const allowlist = ['carebridge.clinic.example', 'docs.example.org', '*.nih.gov', 'portal.example.net:8443'];
  it.each([
    ['https://docs.example.org/guide?x=1#top', true],
    ['https://DOCS.example.org/', true],
    ['https://carebridge.clinic.example/portal', true],
    ['https://medlineplus.nih.gov/ency', true],
    ['https://a.b.nih.gov/', true],
    ['https://portal.example.net:8443/x', true],
    ['https://nih.gov/', false], // the wildcard means subdomains only
    ['https://portal.example.net/x', false], // the entry pins port 8443
    ['https://docs.example.org:444/', false],
    ['http://docs.example.org/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(document.cookie)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['vbscript:msgbox', false],
    ['app://desk/index.html', false],
    ['carebridge://conversation/c1', false],
    ['https://docs.example.org.evil.com/', false],
    ['https://evil-docs.example.org/', false],
    ['https://docs-example.org/', false],
    ['https://evilnih.gov/', false],
    ['https://docs.example.org@evil.com/', false],
    ['https://user:pass@docs.example.org/', false],
    ['https://evil.com\\@docs.example.org/', false],
    ['https://evil.com#@docs.example.org', false],
    [' https://docs.example.org/', false],
    ['https://docs.example.org/\n', false],
    ['https://docs.example.org%2F@evil.com/', false],
    ['https://xn--dcs-example-8db.org/', false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedExternalUrl(url, allowlist)).toBe(allowed);
  });

  it('allows nothing with an empty allowlist', () => {
    expect(isAllowedExternalUrl('https://docs.example.org/', [])).toBe(false);
  });

  it('navigation is always denied in the window; allowlisted links go to the system browser', () => {
    expect(decideNavigation('https://docs.example.org/a', allowlist)).toEqual({ action: 'open-external', url: 'https://docs.example.org/a' });
    expect(decideNavigation('https://evil.example/', allowlist)).toEqual({ action: 'deny' });
    expect(decideNavigation('app://desk/other.html', allowlist)).toEqual({ action: 'deny' });
  });

  it('builds the allowlist from the server host plus the configured hosts', () => {
    expect(externalAllowlistFor('https://Carebridge.Clinic.example:8443/x', ['Docs.example.org'])).toEqual(['carebridge.clinic.example:8443', 'docs.example.org']);
    expect(externalAllowlistFor(null, [])).toEqual([]);
  });
});

describe('permission policy', () => {
  const own = ['app://desk', 'https://carebridge.clinic.example'];
  it.each([
    ['notifications', 'app://desk/index.html', undefined, true],
    ['notifications', 'app://desk', undefined, true],
    ['notifications', 'https://carebridge.clinic.example/desk/', undefined, true],
    ['media', 'app://desk/', ['video', 'audio'], true],
    ['media', 'app://desk/', ['audio'], true],
    ['media', 'app://desk/', [], false],
    ['media', 'app://desk/', ['unknown'], false],
    ['media', 'https://evil.example/', ['video'], false],
    ['notifications', 'https://evil.example/', undefined, false],
    ['notifications', 'https://carebridge.clinic.example.evil.com/', undefined, false],
    ['notifications', 'http://carebridge.clinic.example/', undefined, false],
    ['notifications', 'app://evil/', undefined, false],
    ['notifications', 'file:///tmp/x.html', undefined, false],
    ['notifications', 'not a url', undefined, false],
    ['geolocation', 'app://desk/', undefined, false],
    ['clipboard-read', 'app://desk/', undefined, false],
    ['display-capture', 'app://desk/', undefined, false],
    ['openExternal', 'app://desk/', undefined, false],
    ['midiSysex', 'app://desk/', undefined, false],
    ['pointerLock', 'app://desk/', undefined, false],
    ['fullscreen', 'https://evil.example/', undefined, false],
  ] as const)('%s from %s (%j) → %s', (permission, requestingUrl, mediaTypes, granted) => {
    expect(isPermissionGranted({ permission, requestingUrl, ...(mediaTypes ? { mediaTypes } : {}) }, own)).toBe(granted);
  });
});

describe('IPC sender frame check', () => {
  const main = { url: 'app://desk/index.html', processId: 4, routingId: 1, parent: null };
  it('accepts the main frame of our window showing the bundled renderer', () => {
    expect(checkSenderFrame({ ...main, url: 'app://desk/index.html#/inbox' }, main)).toBeNull();
  });
  it.each([
    ['a missing frame', null],
    ['a subframe', { ...main, routingId: 7, parent: main }],
    ['a subframe that claims the main routing id', { ...main, parent: main }],
    ['another window', { ...main, processId: 9 }],
    ['a foreign page in the main frame', { ...main, url: 'https://evil.example/' }],
    ['the server page instead of the bundle', { ...main, url: 'https://carebridge.clinic.example/desk/' }],
    ['a file: page', { ...main, url: 'file:///tmp/x.html' }],
    ['a lookalike app host', { ...main, url: 'app://desk.evil/index.html' }],
  ])('rejects %s', (_label, frame) => {
    expect(checkSenderFrame(frame, main)).toMatchObject({ code: 'forbidden_sender' });
  });
  it('rejects everything once the window is gone', () => {
    expect(checkSenderFrame(main, null)).toMatchObject({ code: 'forbidden_sender' });
  });
});

describe('window and scheme settings', () => {
  it('every window is sandboxed, isolated and without node', () => {
    const prefs = secureWebPreferences('/app/dist/preload/index.cjs', { devTools: false });
    expect(prefs).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });
  it('the app:// scheme is standard and secure but never bypasses the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true, bypassCSP: false });
  });
});
