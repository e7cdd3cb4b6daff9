import { describe, expect, it } from 'vitest';
import { defaultSettings, type Settings } from '../../shared/ipc-contract.js';
import { createDeepLinkQueue, deepLinkFromArgv, parseDeepLink, type DeepLink } from './deep-links.js';
import { createNotificationService, type NotificationFactory, type WindowLike } from './notifications.js';
import { createUnreadBadge, trayTooltip } from './unread-badge.js';
import { planUpdates, type UpdateInputs } from './updates.js';

function fakeWindow(focused: boolean) {
  const calls: string[] = [];
  const state = { focused, minimized: !focused, visible: true };
  const window: WindowLike = {
    isFocused: () => state.focused,
    isMinimized: () => state.minimized,
    isVisible: () => state.visible,
    restore: () => void (calls.push('restore'), (state.minimized = false)),
    show: () => void calls.push('show'),
    focus: () => void (calls.push('focus'), (state.focused = true)),
  };
  return { window, calls };
}

function fakeFactory(supported = true) {
  const shown: Array<{ title: string; body: string; silent: boolean; click: () => void }> = [];
  const factory: NotificationFactory = {
    isSupported: () => supported,
    create: (options) => {
      let click = () => undefined as void;
      return {
        on: (_event, listener) => void (click = listener),
        show: () => void shown.push({ ...options, click: () => click() }),
      };
    },
  };
  return { factory, shown };
}

describe('notifications', () => {
  const offer = { title: 'New chat offer', body: 'Billing question', kind: 'offer' as const, conversationId: 'conv-42' };

  it('shows an OS notification while unfocused; a click focuses the window and opens the conversation', () => {
    const { window, calls } = fakeWindow(false);
    const { factory, shown } = fakeFactory();
    const sent: unknown[] = [];
    const service = createNotificationService({ window: () => window, factory, send: (c, p) => void sent.push([c, p]), settings: () => defaultSettings });
    expect(service.notify(offer)).toBe('shown');
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ title: 'New chat offer', body: 'Billing question', silent: false });
    shown[0]!.click();
    expect(calls).toEqual(['restore', 'focus']);
    expect(sent).toEqual([['notification:clicked', { conversationId: 'conv-42' }]]);
  });

  it('stays quiet while the window is focused', () => {
    const { window } = fakeWindow(true);
    const { factory, shown } = fakeFactory();
    const service = createNotificationService({ window: () => window, factory, send: () => undefined, settings: () => defaultSettings });
    expect(service.notify(offer)).toBe('window-focused');
    expect(shown).toEqual([]);
  });

  it('follows the user preferences (kind off, sound off) and unsupported systems', () => {
    const { window } = fakeWindow(false);
    const { factory, shown } = fakeFactory();
    const prefs: Settings = { ...defaultSettings, notifications: { offers: false, messages: true, sound: false } };
    const service = createNotificationService({ window: () => window, factory, send: () => undefined, settings: () => prefs });
    expect(service.notify(offer)).toBe('turned-off');
    expect(service.notify({ ...offer, kind: 'message' })).toBe('shown');
    expect(shown[0]!.silent).toBe(true);
    const unsupported = createNotificationService({ window: () => window, factory: fakeFactory(false).factory, send: () => undefined, settings: () => defaultSettings });
    expect(unsupported.notify(offer)).toBe('unsupported');
  });
});

describe('unread badge', () => {
  it('sets the badge, the overlay and the tray tooltip', () => {
    const calls: unknown[] = [];
    const badge = createUnreadBadge({
      setBadgeCount: (n) => (calls.push(['badge', n]), true),
      setOverlay: (n) => void calls.push(['overlay', n]),
      setTrayTooltip: (t) => void calls.push(['tooltip', t]),
    });
    badge.set(3);
    badge.set(0);
    expect(calls).toEqual([['badge', 3], ['overlay', 3], ['tooltip', 'Carebridge — 3 unread'], ['badge', 0], ['overlay', 0], ['tooltip', 'Carebridge']]);
    expect(trayTooltip(12_000)).toBe('Carebridge — 999+ unread');
  });
});

describe('deep links', () => {
  it.each([
    ['carebridge://conversation/conv-42', 'conv-42'],
    ['carebridge://conversation/abc_DEF-1/', 'abc_DEF-1'],
    ['CAREBRIDGE://Conversation/c1', 'c1'],
  ])('%s opens conversation %s', (url, id) => {
    expect(parseDeepLink(url)).toEqual({ kind: 'conversation', conversationId: id });
  });

  it.each([
    'carebridge://conversation/',
    'carebridge://conversation',
    'carebridge://conversation/a/b',
    'carebridge://conversation/../../settings',
    'carebridge://conversation/%2e%2e',
    'carebridge://conversation/a%20b',
    'carebridge://conversation/<script>',
    'carebridge://conversation/c1?token=abc',
    'carebridge://conversation/c1#x',
    'carebridge://user:pw@conversation/c1',
    'carebridge://conversation:99/c1',
    'carebridge://patient/123',
    'carebridge:conversation/c1',
    'https://conversation/c1',
    'javascript:alert(1)',
    `carebridge://conversation/${'a'.repeat(65)}`,
    '',
  ])('rejects %s', (url) => {
    expect(parseDeepLink(url)).toBeNull();
  });

  it('finds the link among command-line arguments (Windows, Linux)', () => {
    expect(deepLinkFromArgv(['/opt/Carebridge/carebridge', '--no-sandbox', 'carebridge://conversation/c9'])).toEqual({ kind: 'conversation', conversationId: 'c9' });
    expect(deepLinkFromArgv(['/opt/Carebridge/carebridge', 'carebridge://patient/1', '--flag'])).toBeNull();
  });

  it('holds a link until the renderer listens, then delivers it once', () => {
    const delivered: DeepLink[] = [];
    const queue = createDeepLinkQueue((l) => delivered.push(l));
    queue.push({ kind: 'conversation', conversationId: 'early' });
    expect(delivered).toEqual([]);
    queue.markReady();
    queue.markReady();
    expect(delivered).toEqual([{ kind: 'conversation', conversationId: 'early' }]);
    queue.push({ kind: 'conversation', conversationId: 'late' });
    expect(delivered).toHaveLength(2);
  });
});

describe('update plan', () => {
  const base: UpdateInputs = {
    serverUrl: 'https://carebridge.clinic.example',
    updateChannel: 'latest',
    updatesEnabled: true,
    isPackaged: true,
    platform: 'linux',
    hasNsisUninstaller: false,
  };
  it('points the generic provider at <server>/updates/<channel>/', () => {
    expect(planUpdates({ ...base, updateChannel: 'beta' })).toEqual({
      enabled: true,
      feed: { provider: 'generic', url: 'https://carebridge.clinic.example/updates/beta/', channel: 'beta' },
    });
    expect(planUpdates({ ...base, platform: 'win32', hasNsisUninstaller: true }).enabled).toBe(true);
  });
  it.each([
    ['turned off by configuration', { updatesEnabled: false }],
    ['MSI or portable install: updated by IT', { platform: 'win32' as const, hasNsisUninstaller: false }],
    ['no server configured', { serverUrl: null }],
    ['not a packaged build', { isPackaged: false }],
  ])('is off: %s', (reason, change) => {
    expect(planUpdates({ ...base, ...change })).toEqual({ enabled: false, reason });
  });
});
