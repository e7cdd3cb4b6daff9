/**
 * Keeps the signed-in session (server URL, e-mail, refresh token) between app starts. Runtime: main
 * (node), no Electron import: the OS encryption comes in as `SafeStorageLike`.
 *
 * On disk only as ciphertext from the OS keychain (`safeStorage`); when the OS offers no encryption
 * (e.g. Linux without a secret service) the session lives in memory only and the user signs in
 * again after a restart. Plaintext never reaches the disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { storedSessionSchema, type StoredSession } from '../../shared/ipc-contract.js';
import type { Logger } from '../logger.js';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface SessionStore {
  load(): StoredSession | null;
  save(session: StoredSession): { persisted: boolean };
  clear(): void;
}

export function createSessionStore(file: string, safeStorage: SafeStorageLike, logger: Logger): SessionStore {
  let memory: StoredSession | null = null;

  const remove = () => fs.rmSync(file, { force: true });

  return {
    load() {
      if (memory) return memory;
      if (!fs.existsSync(file)) return null;
      if (!safeStorage.isEncryptionAvailable()) return null;
      try {
        const parsed = storedSessionSchema.safeParse(JSON.parse(safeStorage.decryptString(fs.readFileSync(file))));
        if (parsed.success) {
          memory = parsed.data;
          return memory;
        }
      } catch {
        // unreadable: another user's key, a corrupt file, an OS keychain reset
      }
      logger.warn('stored session unreadable; removed it (the user signs in again)');
      remove();
      return null;
    },
    save(session) {
      memory = storedSessionSchema.parse(session);
      if (!safeStorage.isEncryptionAvailable()) {
        remove();
        logger.warn('OS encryption unavailable; the session is kept in memory only');
        return { persisted: false };
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, safeStorage.encryptString(JSON.stringify(memory)), { mode: 0o600 });
      fs.renameSync(tmp, file);
      return { persisted: true };
    },
    clear() {
      memory = null;
      remove();
    },
  };
}
