/**
 * Authenticated encryption (AES-256-GCM) for small secrets kept in the database, such as TOTP
 * secrets. The key is derived with HKDF from the token signing key (JWT_SECRET when configured), so
 * a copy of the database file alone does not reveal the secrets when JWT_SECRET is set.
 * Changing JWT_SECRET makes existing boxes unreadable: affected users re-enrol MFA (an admin resets it).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export class SecretBox {
  private readonly key: Buffer;

  constructor(rootKey: Uint8Array, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', rootKey, Buffer.from('carebridge'), Buffer.from(purpose), 32));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
  }

  /** The plaintext, or undefined when the box is malformed or was sealed with another key. */
  open(sealed: string): string | undefined {
    const [version, iv, body, tag] = sealed.split(':');
    if (version !== VERSION || !iv || !body || !tag) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
