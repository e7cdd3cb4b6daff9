import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSettings, type StoredSession } from '../../shared/ipc-contract.js';
import { createLogger } from '../logger.js';
import { openLocalStore } from './local-store.js';
import { createSessionStore, type SafeStorageLike } from './session-store.js';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-stores-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
const caseDir = () => fs.mkdtempSync(path.join(base, 'case-'));

function memoryLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger([{ write: (l) => lines.push(l) }]) };
}

/** Stands in for the OS keychain: XOR with a key, so the file is not the plaintext. */
function fakeSafeStorage(available = true, key = 0x5a): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (s) => Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ key)),
    decryptString: (b) => Buffer.from(b.map((x) => x ^ key)).toString('utf8'),
  };
}

const session: StoredSession = {
  serverUrl: 'https://carebridge.clinic.example',
  email: 'agent1@demo.carebridge.local',
  refreshToken: 'rt_0123456789abcdefghijklmnopqrstuvwxyz',
};

describe('session store', () => {
  it('persists the session encrypted and reads it back after a restart', () => {
    const dir = caseDir();
    const file = path.join(dir, 'session.bin');
    const { logger } = memoryLogger();
    expect(createSessionStore(file, fakeSafeStorage(), logger).save(session)).toEqual({ persisted: true });
    const onDisk = fs.readFileSync(file);
    expect(onDisk.toString('utf8')).not.toContain(session.refreshToken);
    expect(onDisk.toString('utf8')).not.toContain(session.email);
    expect(createSessionStore(file, fakeSafeStorage(), logger).load()).toEqual(session);
  });

  it('keeps the session in memory only when the OS has no encryption, never plaintext on disk', () => {
    const dir = caseDir();
    const file = path.join(dir, 'session.bin');
    const { logger, lines } = memoryLogger();
    const store = createSessionStore(file, fakeSafeStorage(false), logger);
    expect(store.save(session)).toEqual({ persisted: false });
    expect(store.load()).toEqual(session);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(createSessionStore(file, fakeSafeStorage(false), logger).load()).toBeNull();
    expect(lines.join('\n')).not.toContain(session.refreshToken);
  });

  it('removes a session it cannot decrypt (another key, corruption) and asks for sign-in', () => {
    const dir = caseDir();
    const file = path.join(dir, 'session.bin');
    const { logger } = memoryLogger();
    createSessionStore(file, fakeSafeStorage(true, 0x11), logger).save(session);
    expect(createSessionStore(file, fakeSafeStorage(true, 0x22), logger).load()).toBeNull();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('clear forgets the session in memory and on disk', () => {
    const dir = caseDir();
    const file = path.join(dir, 'session.bin');
    const { logger } = memoryLogger();
    const store = createSessionStore(file, fakeSafeStorage(), logger);
    store.save(session);
    store.clear();
    expect(store.load()).toBeNull();
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('local store (settings and drafts)', () => {
  it('starts from defaults and keeps settings per user, surviving a reopen', async () => {
    const file = path.join(caseDir(), 'local.json');
    const { logger } = memoryLogger();
    const store = await openLocalStore(file, logger);
    expect(store.getSettings()).toEqual(defaultSettings);
    expect(store.getSettings('u1')).toEqual(defaultSettings);
    await store.updateSettings({ theme: 'dark', inactivityMinutes: 5, layout: { inboxWidth: 320 } }, 'u1');
    await store.updateSettings({ notifications: { sound: false } }, 'u1');
    const reopened = await openLocalStore(file, logger);
    expect(reopened.getSettings('u1')).toEqual({
      theme: 'dark',
      inactivityMinutes: 5,
      notifications: { offers: true, messages: true, sound: false },
      layout: { inboxWidth: 320 },
    });
    expect(reopened.getSettings('u2')).toEqual(defaultSettings);
  });

  it('keeps drafts per user and conversation; prototype names are just ids', async () => {
    const file = path.join(caseDir(), 'local.json');
    const { logger } = memoryLogger();
    const store = await openLocalStore(file, logger);
    await store.setDraft('u1', 'c1', 'Your appointment is confirmed');
    await store.setDraft('u1', '__proto__', 'proto draft');
    await store.setDraft('__proto__', 'constructor', 'odd ids');
    const reopened = await openLocalStore(file, logger);
    expect(reopened.getDraft('u1', 'c1')).toBe('Your appointment is confirmed');
    expect(reopened.getDraft('u1', '__proto__')).toBe('proto draft');
    expect(reopened.getDraft('__proto__', 'constructor')).toBe('odd ids');
    expect(reopened.getDraft('u2', 'c1')).toBeNull();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    await reopened.setDraft('u1', 'c1', '');
    expect(reopened.getDraft('u1', 'c1')).toBeNull();
  });

  it.each([
    ['not JSON', '{"version":1,"settings":'],
    ['the wrong shape', JSON.stringify({ version: 1, deviceSettings: { theme: 'neon' }, settings: {}, drafts: {} })],
    ['a future version', JSON.stringify({ version: 2 })],
    ['an empty file', ''],
  ])('moves a corrupt file (%s) aside and starts from defaults', async (_label, content) => {
    const dir = caseDir();
    const file = path.join(dir, 'local.json');
    fs.writeFileSync(file, content);
    const { logger, lines } = memoryLogger();
    const store = await openLocalStore(file, logger, () => new Date('2026-01-02T03:04:05.678Z'));
    expect(store.getSettings()).toEqual(defaultSettings);
    expect(fs.readFileSync(path.join(dir, 'local.json.corrupt-2026-01-02T03-04-05-678Z'), 'utf8')).toBe(content);
    expect(lines.join('\n')).toContain('moved it aside');
    await store.setDraft('u1', 'c1', 'after recovery');
    expect((await openLocalStore(file, logger)).getDraft('u1', 'c1')).toBe('after recovery');
  });

  it('writes atomically: the file is complete JSON after concurrent writes', async () => {
    const file = path.join(caseDir(), 'local.json');
    const { logger } = memoryLogger();
    const store = await openLocalStore(file, logger);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.setDraft('u1', `c${i}`, `draft ${i}`)));
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8')) as { drafts: Record<string, Record<string, unknown>> };
    expect(Object.keys(onDisk.drafts['u:u1']!)).toHaveLength(50);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['local.json']);
  });
});
