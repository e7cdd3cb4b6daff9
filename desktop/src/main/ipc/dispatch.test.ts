import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { invokeChannels, type StoredSession } from '../../shared/ipc-contract.js';
import { createLogger } from '../logger.js';
import { openLocalStore } from '../services/local-store.js';
import { createSessionStore } from '../services/session-store.js';
import { createIpcDispatcher, IpcFailure, registerIpcHandlers, type IpcDispatcher, type IpcHandlers, type IpcMainLike } from './dispatch.js';
import { createIpcHandlers } from './handlers.js';

const mainFrame = { url: 'app://desk/index.html', processId: 3, routingId: 1, parent: null };
const fromMain = { senderFrame: mainFrame };

function memoryLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger([{ write: (l) => lines.push(l) }]) };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-ipc-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const refreshToken = 'rt_secret_refresh_token_value_0123456789';

async function setup(overrides: Partial<IpcHandlers> = {}) {
  const { lines, logger } = memoryLogger();
  const sub = fs.mkdtempSync(path.join(dir, 'case-'));
  const local = await openLocalStore(path.join(sub, 'local.json'), logger);
  const fakeSafeStorage = {
    isEncryptionAvailable: () => true,
    encryptString: (s: string) => Buffer.from(s, 'utf8').reverse(),
    decryptString: (b: Buffer) => Buffer.from(b).reverse().toString('utf8'),
  };
  const opened: string[] = [];
  const handlers = {
    ...createIpcHandlers({
      sessions: createSessionStore(path.join(sub, 'session.bin'), fakeSafeStorage, logger),
      local,
      notify: () => 'shown',
      setBadge: () => undefined,
      openExternal: async (url) => void opened.push(url),
      externalAllowlist: () => ['docs.example.org'],
      config: () => ({ serverUrl: 'https://srv.example', platform: 'electron', version: '0.1.0', updateChannel: 'latest' }),
      deepLinksReady: () => undefined,
      logger,
    }),
    ...overrides,
  };
  const dispatch: IpcDispatcher = createIpcDispatcher({ handlers, mainFrame: () => mainFrame, logger });
  return { dispatch, lines, opened };
}

describe('IPC dispatcher', () => {
  it('answers { ok: true, value } for a valid request from our main frame', async () => {
    const { dispatch } = await setup();
    expect(await dispatch('config:get', fromMain, [])).toEqual({
      ok: true,
      value: { serverUrl: 'https://srv.example', platform: 'electron', version: '0.1.0', updateChannel: 'latest' },
    });
    const session: StoredSession = { serverUrl: 'https://srv.example', email: 'agent1@demo.carebridge.local', refreshToken };
    expect(await dispatch('session:save', fromMain, [session])).toEqual({ ok: true, value: null });
    expect(await dispatch('session:load', fromMain, [])).toEqual({ ok: true, value: session });
  });

  it('rejects a foreign sender and does not run the handler', async () => {
    let ran = false;
    const { dispatch, lines } = await setup({ 'session:load': () => ((ran = true), null) });
    const result = await dispatch('session:load', { senderFrame: { ...mainFrame, url: 'https://evil.example/' } }, []);
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(ran).toBe(false);
    expect(lines.join('\n')).toContain('ipc request rejected');
  });

  it('rejects a subframe of our own window', async () => {
    const { dispatch } = await setup();
    const result = await dispatch('session:load', { senderFrame: { ...mainFrame, routingId: 9, parent: mainFrame } }, []);
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
  });

  it('rejects a sender without a frame (navigated away or destroyed)', async () => {
    const { dispatch } = await setup();
    expect(await dispatch('config:get', { senderFrame: null }, [])).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
  });

  it.each([
    ['a payload where none is expected', 'config:get', ['surprise']],
    ['wrong types', 'badge:set', [{ count: '3' }]],
    ['a negative count', 'badge:set', [{ count: -1 }]],
    ['unknown fields', 'badge:set', [{ count: 1, extra: true }]],
    ['a missing payload', 'drafts:get', []],
    ['a bad conversation id', 'drafts:get', [{ userId: 'u1', conversationId: '../../etc' }]],
    ['an oversized draft', 'drafts:set', [{ userId: 'u1', conversationId: 'c1', text: 'x'.repeat(20_001) }]],
    ['a session without a token', 'session:save', [{ serverUrl: 'https://srv.example', email: 'a@b.example' }]],
    ['a non-URL link', 'external:open', [{ url: 'not a url' }]],
    ['two arguments', 'badge:set', [{ count: 1 }, { count: 2 }]],
    ['a prototype-polluting payload', 'settings:update', [JSON.parse('{"__proto__": {"admin": true}, "theme": "dark"}')]],
    ['settings for a user with an unknown field', 'settings:update', [{ userId: 'u1', patch: { theme: 'dark' }, extra: 1 }]],
    ['a notification without a title', 'notify', [{ title: '', body: 'x', kind: 'offer' }]],
  ])('rejects %s with bad_payload', async (_label, channel, args) => {
    const { dispatch } = await setup();
    const result = await dispatch(channel, fromMain, args);
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
  });

  it('rejects an unknown channel, including prototype names', async () => {
    const { dispatch } = await setup();
    for (const channel of ['shell:exec', 'constructor', '__proto__', 'toString']) {
      expect(await dispatch(channel, fromMain, [])).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    }
  });

  it('turns a throwing handler into an internal error without leaking its message', async () => {
    const { dispatch, lines } = await setup({
      'settings:get': () => {
        throw new Error(`database at /home/agent/secret path exploded ${refreshToken}`);
      },
    });
    const result = await dispatch('settings:get', fromMain, []);
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: expect.any(String) } });
    expect(JSON.stringify(result)).not.toContain('exploded');
    expect(lines.join('\n')).toContain('ipc handler failed');
    expect(lines.join('\n')).not.toContain(refreshToken);
  });

  it('passes an IpcFailure code through', async () => {
    const { dispatch } = await setup({
      'session:load': () => {
        throw new IpcFailure('unavailable', 'no keychain');
      },
    });
    expect(await dispatch('session:load', fromMain, [])).toEqual({ ok: false, error: { code: 'unavailable', message: 'no keychain' } });
  });

  it('never writes payload values (tokens, drafts) to the log when rejecting', async () => {
    const { dispatch, lines } = await setup();
    await dispatch('session:save', { senderFrame: { ...mainFrame, url: 'https://evil.example/' } }, [
      { serverUrl: 'https://srv.example', email: 'agent1@demo.carebridge.local', refreshToken },
    ]);
    await dispatch('session:save', fromMain, [{ serverUrl: 'https://srv.example', email: 'not-an-email', refreshToken }]);
    await dispatch('drafts:set', fromMain, [{ userId: 'u1', conversationId: 'c1', text: 'Patient reports chest pain', extra: 1 }]);
    const log = lines.join('\n');
    expect(lines.length).toBe(3);
    expect(log).not.toContain(refreshToken);
    expect(log).not.toContain('agent1@demo');
    expect(log).not.toContain('chest pain');
  });

  it('opens only allowlisted https links externally', async () => {
    const { dispatch, opened } = await setup();
    expect(await dispatch('external:open', fromMain, [{ url: 'https://evil.example/phish' }])).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    expect(await dispatch('external:open', fromMain, [{ url: 'https://docs.example.org@evil.example/' }])).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    expect(await dispatch('external:open', fromMain, [{ url: 'javascript:alert(1)' }])).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    expect(await dispatch('external:open', fromMain, [{ url: 'file:///etc/passwd' }])).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    expect(opened).toEqual([]);
    expect(await dispatch('external:open', fromMain, [{ url: 'https://docs.example.org/help' }])).toEqual({ ok: true, value: null });
    expect(opened).toEqual(['https://docs.example.org/help']);
  });

  it('keeps settings per user and drafts per user and conversation', async () => {
    const { dispatch } = await setup();
    await dispatch('settings:update', fromMain, [{ userId: 'agent-1', patch: { theme: 'dark', notifications: { sound: false } } }]);
    await dispatch('settings:update', fromMain, [{ theme: 'light' }]);
    expect(await dispatch('settings:get', fromMain, [{ userId: 'agent-1' }])).toMatchObject({
      ok: true,
      value: { theme: 'dark', notifications: { offers: true, messages: true, sound: false } },
    });
    expect(await dispatch('settings:get', fromMain, [])).toMatchObject({ ok: true, value: { theme: 'light' } });
    expect(await dispatch('settings:get', fromMain, [{ userId: 'agent-2' }])).toMatchObject({ ok: true, value: { theme: 'light' } });

    await dispatch('drafts:set', fromMain, [{ userId: 'agent-1', conversationId: 'c1', text: 'Hello' }]);
    expect(await dispatch('drafts:get', fromMain, [{ userId: 'agent-1', conversationId: 'c1' }])).toEqual({ ok: true, value: 'Hello' });
    expect(await dispatch('drafts:get', fromMain, [{ userId: 'agent-2', conversationId: 'c1' }])).toEqual({ ok: true, value: null });
    await dispatch('drafts:clear', fromMain, [{ userId: 'agent-1', conversationId: 'c1' }]);
    expect(await dispatch('drafts:get', fromMain, [{ userId: 'agent-1', conversationId: 'c1' }])).toEqual({ ok: true, value: null });
  });
});

describe('registerIpcHandlers', () => {
  it('registers every contract channel and routes it through the dispatcher', async () => {
    const registered = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
    const ipcMain: IpcMainLike = { handle: (channel, listener) => void registered.set(channel, listener) };
    const seen: Array<[string, unknown[]]> = [];
    registerIpcHandlers(ipcMain, async (channel, _event, args) => {
      seen.push([channel, [...args]]);
      return { ok: true, value: null };
    });
    expect([...registered.keys()].sort()).toEqual(Object.keys(invokeChannels).sort());
    await registered.get('badge:set')!(fromMain, { count: 2 });
    expect(seen).toEqual([['badge:set', [{ count: 2 }]]]);
  });
});
