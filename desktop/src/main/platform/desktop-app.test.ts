/**
 * The composition root against a fake `electron` module: proves the security wiring (sandbox,
 * scheme, window preferences, navigation, permissions, IPC sender checks) and the shell features
 * reach Electron as intended. No Electron binary is needed.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- vi.hoisted runs before imports, so no import statement is available yet
  const { EventEmitter: Emitter } = require('node:events') as { EventEmitter: typeof EventEmitter };
  const calls: Array<[string, ...unknown[]]> = [];
  const record = (name: string) => (...args: unknown[]) => void calls.push([name, ...args]);
  const state = {
    userData: '',
    singleInstance: true,
    protocolHandler: null as null | ((req: { url: string }) => Promise<Response>),
    ipcHandlers: new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>(),
    permissionRequest: null as null | ((wc: unknown, permission: string, cb: (granted: boolean) => void, details: Record<string, unknown>) => void),
    permissionCheck: null as null | ((wc: unknown, permission: string, origin: string, details: Record<string, unknown>) => boolean),
    shortcuts: new Map<string, () => void>(),
    windows: [] as Array<InstanceType<typeof FakeWindow>>,
    opened: [] as string[],
    sent: [] as Array<[string, unknown]>,
  };
  const mainFrame = { url: 'app://desk/index.html', processId: 11, routingId: 1, parent: null };
  class FakeWindow extends Emitter {
    options: Record<string, unknown>;
    webContents = Object.assign(new Emitter(), {
      mainFrame,
      send: (channel: string, payload: unknown) => void state.sent.push([channel, payload]),
      reload: () => undefined,
    });
    constructor(options: Record<string, unknown>) {
      super();
      this.options = options;
      state.windows.push(this);
    }
    loadURL = async (url: string) => void calls.push(['loadURL', url]);
    isDestroyed = () => false;
    isFocused = () => false;
    isMinimized = () => false;
    isVisible = () => true;
    restore = () => undefined;
    show = () => undefined;
    focus = () => void calls.push(['focus']);
    setOverlayIcon = () => undefined;
  }
  const app = Object.assign(new Emitter(), {
    setName: record('app.setName'),
    enableSandbox: record('app.enableSandbox'),
    requestSingleInstanceLock: () => state.singleInstance,
    quit: record('app.quit'),
    setAsDefaultProtocolClient: record('app.setAsDefaultProtocolClient'),
    getPath: (name: string) => (name === 'exe' ? '/opt/Carebridge/carebridge' : state.userData),
    whenReady: () => Promise.resolve(),
    isPackaged: false,
    getVersion: () => '0.1.0',
    setBadgeCount: (n: number) => (calls.push(['app.setBadgeCount', n]), true),
  });
  return { calls, state, mainFrame, FakeWindow, app, record };
});

vi.mock('electron', () => ({
  app: fake.app,
  BrowserWindow: fake.FakeWindow,
  protocol: {
    registerSchemesAsPrivileged: fake.record('protocol.registerSchemesAsPrivileged'),
    handle: (scheme: string, handler: (req: { url: string }) => Promise<Response>) => {
      fake.calls.push(['protocol.handle', scheme]);
      fake.state.protocolHandler = handler;
    },
  },
  ipcMain: { handle: (channel: string, listener: (event: unknown, ...args: unknown[]) => Promise<unknown>) => void fake.state.ipcHandlers.set(channel, listener) },
  safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '' },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (h: typeof fake.state.permissionRequest) => void (fake.state.permissionRequest = h),
      setPermissionCheckHandler: (h: typeof fake.state.permissionCheck) => void (fake.state.permissionCheck = h),
      setDevicePermissionHandler: fake.record('setDevicePermissionHandler'),
    },
  },
  shell: { openExternal: async (url: string) => void fake.state.opened.push(url) },
  Tray: class {
    setToolTip = fake.record('tray.setToolTip');
    setContextMenu = () => undefined;
    on = () => undefined;
  },
  Menu: { buildFromTemplate: (t: unknown) => t },
  nativeImage: { createFromDataURL: () => ({}) },
  Notification: class {
    static isSupported = () => true;
    on = () => undefined;
    show = fake.record('notification.show');
  },
  globalShortcut: {
    register: (accelerator: string, cb: () => void) => (fake.state.shortcuts.set(accelerator, cb), true),
    unregisterAll: () => undefined,
  },
}));
vi.mock('electron-updater', () => ({ default: { autoUpdater: {} } }));

const { startDesktopApp } = await import('./desktop-app.js');

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-desktop-app-'));
const distDir = path.join(base, 'dist');
fs.mkdirSync(path.join(distDir, 'renderer'), { recursive: true });
fs.writeFileSync(path.join(distDir, 'renderer', 'index.html'), '<!doctype html><div id="root"></div>');
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const fromMain = { senderFrame: fake.mainFrame };

async function start(argv: string[] = ['electron', 'main.cjs', '--server-url=https://carebridge.clinic.example']) {
  fake.calls.length = 0;
  fake.state.userData = fs.mkdtempSync(path.join(base, 'user-'));
  fake.state.ipcHandlers.clear();
  fake.state.windows.length = 0;
  fake.state.opened.length = 0;
  fake.state.sent.length = 0;
  fake.app.removeAllListeners();
  await startDesktopApp({ distDir, argv, env: {}, logToConsole: false });
}

describe('desktop app wiring (fake electron)', () => {
  beforeEach(() => {
    fake.state.singleInstance = true;
  });

  it('enables the sandbox and registers app:// as a standard, secure scheme before ready', async () => {
    await start();
    const names = fake.calls.map((c) => c[0]);
    expect(names).toContain('app.enableSandbox');
    const scheme = fake.calls.find((c) => c[0] === 'protocol.registerSchemesAsPrivileged')![1] as Array<{ scheme: string; privileges: Record<string, boolean> }>;
    expect(scheme[0]).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true, bypassCSP: false } });
    expect(names.indexOf('app.enableSandbox')).toBeLessThan(names.indexOf('protocol.handle'));
    expect(fake.calls).toContainEqual(['app.setAsDefaultProtocolClient', 'carebridge']);
  });

  it('quits when another instance already runs', async () => {
    fake.state.singleInstance = false;
    await start();
    expect(fake.calls.map((c) => c[0])).toContain('app.quit');
    expect(fake.state.windows).toHaveLength(0);
  });

  it('opens one sandboxed, isolated window on app://desk with the bundled preload', async () => {
    await start();
    expect(fake.state.windows).toHaveLength(1);
    expect(fake.state.windows[0]!.options.webPreferences).toMatchObject({
      preload: path.join(distDir, 'preload', 'index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      webviewTag: false,
    });
    expect(fake.calls).toContainEqual(['loadURL', 'app://desk/index.html']);
  });

  it('serves the renderer through app:// with the configured server in the CSP and refuses traversal', async () => {
    await start();
    const ok = await fake.state.protocolHandler!({ url: 'app://desk/index.html' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain('connect-src \'self\' https://carebridge.clinic.example wss://carebridge.clinic.example');
    expect((await fake.state.protocolHandler!({ url: 'app://desk/../../etc/passwd' })).status).toBe(404);
  });

  it('denies navigation and new windows; only allowlisted https links reach the browser', async () => {
    await start();
    const contents = Object.assign(new EventEmitter(), {
      openHandler: null as null | ((d: { url: string }) => { action: string }),
      setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
        this.openHandler = h;
      },
    });
    fake.app.emit('web-contents-created', {}, contents);
    const navigate = (url: string) => {
      const event = { prevented: false, preventDefault() { this.prevented = true; } };
      contents.emit('will-navigate', event, url);
      return event.prevented;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('app://desk/other.html')).toBe(true);
    expect(navigate('https://carebridge.clinic.example/help')).toBe(true);
    expect(contents.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'https://carebridge.clinic.example/portal' })).toEqual({ action: 'deny' });
    expect(fake.state.opened).toEqual(['https://carebridge.clinic.example/help', 'https://carebridge.clinic.example/portal']);
    const webview = { prevented: false, preventDefault() { this.prevented = true; } };
    contents.emit('will-attach-webview', webview);
    expect(webview.prevented).toBe(true);
  });

  it('grants notifications and camera/microphone to our origins only', async () => {
    await start();
    const ask = (permission: string, requestingUrl: string, mediaTypes?: string[]) =>
      new Promise<boolean>((resolve) => fake.state.permissionRequest!({}, permission, resolve, { requestingUrl, ...(mediaTypes ? { mediaTypes } : {}) }));
    expect(await ask('notifications', 'app://desk/index.html')).toBe(true);
    expect(await ask('media', 'https://carebridge.clinic.example/desk/', ['video', 'audio'])).toBe(true);
    expect(await ask('notifications', 'https://evil.example/')).toBe(false);
    expect(await ask('geolocation', 'app://desk/index.html')).toBe(false);
    expect(fake.state.permissionCheck!({}, 'notifications', 'app://desk', {})).toBe(true);
    expect(fake.state.permissionCheck!({}, 'media', 'https://evil.example', { mediaType: 'video' })).toBe(false);
    expect(fake.calls.map((c) => c[0])).toContain('setDevicePermissionHandler');
  });

  it('answers IPC from our main frame and rejects a foreign frame', async () => {
    await start();
    const config = fake.state.ipcHandlers.get('config:get')!;
    expect(await config(fromMain)).toEqual({
      ok: true,
      value: { serverUrl: 'https://carebridge.clinic.example', platform: 'electron', version: '0.1.0', updateChannel: 'latest' },
    });
    expect(await config({ senderFrame: { ...fake.mainFrame, url: 'https://evil.example/' } })).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(await fake.state.ipcHandlers.get('badge:set')!(fromMain, { count: 'many' })).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    expect(await fake.state.ipcHandlers.get('badge:set')!(fromMain, { count: 2 })).toEqual({ ok: true, value: null });
    expect(fake.calls).toContainEqual(['app.setBadgeCount', 2]);
    expect(fake.calls).toContainEqual(['tray.setToolTip', 'Carebridge — 2 unread']);
  });

  it('keeps the session in memory when the OS keychain is unavailable and never logs the token', async () => {
    await start();
    const session = { serverUrl: 'https://carebridge.clinic.example', email: 'agent1@demo.carebridge.local', refreshToken: 'rt_do_not_log_0123456789abcdef' };
    expect(await fake.state.ipcHandlers.get('session:save')!(fromMain, session)).toEqual({ ok: true, value: null });
    expect(await fake.state.ipcHandlers.get('session:load')!(fromMain)).toEqual({ ok: true, value: session });
    await fake.state.ipcHandlers.get('session:save')!({ senderFrame: { ...fake.mainFrame, url: 'https://evil.example/' } }, session);
    const files = fs.readdirSync(fake.state.userData, { recursive: true }).map(String);
    expect(files).not.toContain('session.bin');
    const log = fs.readFileSync(path.join(fake.state.userData, 'logs', 'main.log'), 'utf8');
    expect(log).toContain('ipc request rejected');
    expect(log).not.toContain(session.refreshToken);
  });

  it('sends the accept-next-offer shortcut and deep links to the renderer', async () => {
    await start(['electron', 'main.cjs', 'carebridge://conversation/launch-1']);
    fake.state.shortcuts.get('CommandOrControl+Shift+A')!();
    expect(fake.state.sent).toEqual([['shortcut:accept-next-offer', undefined]]);
    // The launch link waits until the renderer listens.
    await fake.state.ipcHandlers.get('deeplink:ready')!(fromMain);
    fake.app.emit('second-instance', {}, ['carebridge', 'carebridge://conversation/c-77'], '/');
    fake.app.emit('second-instance', {}, ['carebridge', 'carebridge://patient/1'], '/');
    expect(fake.state.sent.slice(1)).toEqual([
      ['deeplink:conversation', { conversationId: 'launch-1' }],
      ['deeplink:conversation', { conversationId: 'c-77' }],
    ]);
  });
});
