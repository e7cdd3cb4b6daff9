/**
 * `window.carebridge` in Electron: the contract's named methods over `ipcRenderer`. Runtime:
 * preload (sandboxed). No Electron import here, so the test drives it with a fake `ipcRenderer`.
 *
 * Only type imports from the contract: the sandboxed preload bundle stays tiny (no zod); main
 * parses every payload anyway. Listeners receive the payload only, never the IPC event (which
 * would hand the page `event.sender`).
 */
import type {
  CarebridgeBridge,
  EventChannel,
  EventPayload,
  InvokeChannel,
  InvokePayload,
  InvokeResults,
  IpcResult,
  SettingsPatch,
} from '../shared/ipc-contract.js';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createBridge(ipc: IpcRendererLike): CarebridgeBridge {
  const invoke = async <C extends InvokeChannel>(channel: C, ...payload: [] | [InvokePayload<C>]): Promise<IpcResult<InvokeResults[C]>> => {
    try {
      return (await ipc.invoke(channel, ...payload)) as IpcResult<InvokeResults[C]>;
    } catch {
      return { ok: false, error: { code: 'unavailable', message: 'The desktop app did not answer.' } };
    }
  };

  const subscribe = <C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void, onFirst?: () => void) => {
    const wrapped = (_event: unknown, payload: unknown) => listener(payload as EventPayload<C>);
    ipc.on(channel, wrapped);
    onFirst?.();
    return () => {
      ipc.removeListener(channel, wrapped);
    };
  };

  return Object.freeze({
    platform: 'electron' as const,
    session: Object.freeze({
      load: () => invoke('session:load'),
      save: (session: InvokePayload<'session:save'>) => invoke('session:save', session),
      clear: () => invoke('session:clear'),
    }),
    settings: Object.freeze({
      get: (userId?: string) => (userId === undefined ? invoke('settings:get') : invoke('settings:get', { userId })),
      update: (patch: SettingsPatch, userId?: string) =>
        userId === undefined ? invoke('settings:update', patch) : invoke('settings:update', { userId, patch }),
    }),
    drafts: Object.freeze({
      get: (userId: string, conversationId: string) => invoke('drafts:get', { userId, conversationId }),
      set: (userId: string, conversationId: string, text: string) => invoke('drafts:set', { userId, conversationId, text }),
      clear: (userId: string, conversationId: string) => invoke('drafts:clear', { userId, conversationId }),
    }),
    notify: (notification: InvokePayload<'notify'>) => invoke('notify', notification),
    setBadge: (count: number) => invoke('badge:set', { count }),
    openExternal: (url: string) => invoke('external:open', { url }),
    getConfig: () => invoke('config:get'),
    onDeepLink: (listener: (payload: EventPayload<'deeplink:conversation'>) => void) =>
      subscribe('deeplink:conversation', listener, () => void invoke('deeplink:ready')),
    onAcceptNextOffer: (listener: () => void) => subscribe('shortcut:accept-next-offer', () => listener()),
    onNotificationClicked: (listener: (payload: EventPayload<'notification:clicked'>) => void) => subscribe('notification:clicked', listener),
  });
}
