import { describe, expect, it } from 'vitest';
import { createBridge, type IpcRendererLike } from './bridge.js';

function fakeIpcRenderer(answer: (channel: string, args: unknown[]) => unknown = () => ({ ok: true, value: null })) {
  const invoked: Array<[string, unknown[]]> = [];
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push([channel, args]);
      return answer(channel, args);
    },
    on: (channel, listener) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener)),
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  const emit = (channel: string, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l({ sender: 'the IPC event must not leak' }, payload);
  };
  return { ipc, invoked, emit, listeners };
}

describe('preload bridge', () => {
  it('maps each named method to its contract channel and payload', async () => {
    const { ipc, invoked } = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    await bridge.session.load();
    await bridge.session.save({ serverUrl: 'https://srv.example', email: 'a@b.example', refreshToken: 'x'.repeat(30) });
    await bridge.session.clear();
    await bridge.settings.get();
    await bridge.settings.get('u1');
    await bridge.settings.update({ theme: 'dark' });
    await bridge.settings.update({ theme: 'dark' }, 'u1');
    await bridge.drafts.get('u1', 'c1');
    await bridge.drafts.set('u1', 'c1', 'hi');
    await bridge.drafts.clear('u1', 'c1');
    await bridge.notify({ title: 't', body: 'b', kind: 'message' });
    await bridge.setBadge(4);
    await bridge.openExternal('https://docs.example.org');
    await bridge.getConfig();
    expect(invoked).toEqual([
      ['session:load', []],
      ['session:save', [{ serverUrl: 'https://srv.example', email: 'a@b.example', refreshToken: 'x'.repeat(30) }]],
      ['session:clear', []],
      ['settings:get', []],
      ['settings:get', [{ userId: 'u1' }]],
      ['settings:update', [{ theme: 'dark' }]],
      ['settings:update', [{ userId: 'u1', patch: { theme: 'dark' } }]],
      ['drafts:get', [{ userId: 'u1', conversationId: 'c1' }]],
      ['drafts:set', [{ userId: 'u1', conversationId: 'c1', text: 'hi' }]],
      ['drafts:clear', [{ userId: 'u1', conversationId: 'c1' }]],
      ['notify', [{ title: 't', body: 'b', kind: 'message' }]],
      ['badge:set', [{ count: 4 }]],
      ['external:open', [{ url: 'https://docs.example.org' }]],
      ['config:get', []],
    ]);
  });

  it('passes results through and turns a failed invoke into an unavailable error', async () => {
    const bridge = createBridge(
      fakeIpcRenderer((channel) => {
        if (channel === 'config:get') throw new Error("No handler registered for 'config:get'");
        return { ok: true, value: 'draft text' };
      }).ipc,
    );
    expect(await bridge.drafts.get('u1', 'c1')).toEqual({ ok: true, value: 'draft text' });
    expect(await bridge.getConfig()).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('gives listeners the payload only, never the IPC event, and unsubscribes', () => {
    const { ipc, emit, invoked, listeners } = fakeIpcRenderer();
    const bridge = createBridge(ipc);
    const got: unknown[][] = [];
    const off = bridge.onDeepLink((...args) => got.push(args));
    bridge.onAcceptNextOffer((...args: unknown[]) => got.push(['accept', ...args]));
    bridge.onNotificationClicked((...args) => got.push(args));
    expect(invoked).toEqual([['deeplink:ready', []]]);
    emit('deeplink:conversation', { conversationId: 'c1' });
    emit('shortcut:accept-next-offer', undefined);
    emit('notification:clicked', { conversationId: 'c2' });
    expect(got).toEqual([[{ conversationId: 'c1' }], ['accept'], [{ conversationId: 'c2' }]]);
    off();
    expect(listeners.get('deeplink:conversation')?.size).toBe(0);
  });

  it('is frozen: the page cannot swap a method', () => {
    const bridge = createBridge(fakeIpcRenderer().ipc);
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.isFrozen(bridge.session)).toBe(true);
    expect(bridge.platform).toBe('electron');
  });
});
