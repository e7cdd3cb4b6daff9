import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from './rate-limit.js';
import { SecretBox } from './secret-box.js';

describe('sliding window limiter', () => {
  it('allows `limit` events per window, then says how long to wait', () => {
    const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 60_000 });
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('k', t0 + i * 1000)).toBe(0);
      limiter.hit('k', t0 + i * 1000);
    }
    expect(limiter.retryAfterSeconds('k', t0 + 3000)).toBe(57);
    expect(limiter.retryAfterSeconds('other', t0 + 3000)).toBe(0);
    // The window slides: once the first event is a minute old, one more is allowed.
    expect(limiter.retryAfterSeconds('k', t0 + 60_001)).toBe(0);
    limiter.reset('k');
    expect(limiter.retryAfterSeconds('k', t0 + 3000)).toBe(0);
  });

  it('forgets keys by predicate and bounds memory', () => {
    const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2 });
    limiter.hit('a\u0000ip1', 1);
    limiter.hit('a\u0000ip2', 1);
    limiter.hit('b\u0000ip1', 1); // evicts the oldest key
    expect(limiter.retryAfterSeconds('a\u0000ip1', 2)).toBe(0);
    expect(limiter.retryAfterSeconds('a\u0000ip2', 2)).toBeGreaterThan(0);
    limiter.resetWhere((k) => k.startsWith('a\u0000'));
    expect(limiter.retryAfterSeconds('a\u0000ip2', 2)).toBe(0);
    expect(limiter.retryAfterSeconds('b\u0000ip1', 2)).toBeGreaterThan(0);
  });
});

describe('secret box', () => {
  it('round-trips, uses a fresh IV each time, and refuses other keys and tampering', () => {
    const box = new SecretBox(new TextEncoder().encode('root key of at least thirty-two bytes!'), 'totp-secret');
    const sealed = box.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DP');
    expect(box.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')).not.toBe(sealed);
    expect(box.open(sealed)).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    const other = new SecretBox(new TextEncoder().encode('another root key of thirty-two bytes'), 'totp-secret');
    expect(other.open(sealed)).toBeUndefined();
    const [v, iv, body, tag] = sealed.split(':');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(box.open([v, iv, flipped.toString('base64url'), tag].join(':'))).toBeUndefined();
    expect(box.open('garbage')).toBeUndefined();
  });
});
