import { describe, expect, it } from 'vitest';
import { addressKey, backoffDelayMs, LoginThrottle, type LoginThrottleOptions } from './login-throttle.js';

function throttle(overrides: Partial<LoginThrottleOptions> = {}) {
  const clock = { now: 1_000_000 };
  const t = new LoginThrottle({
    freeFailuresPerAccountAddress: 5,
    freeFailuresPerAddress: 20,
    freeFailuresPerAccount: 10,
    baseDelayMs: 1000,
    maxDelayMs: 60_000,
    forgetAfterMs: 3_600_000,
    trustAddressMs: 30 * 86_400_000,
    now: () => clock.now,
    ...overrides,
  });
  return { t, clock };
}

/** Counts a failed attempt; throws when the throttle refuses it. */
function fail(t: LoginThrottle, account: string, address: string): void {
  const decision = t.begin(account, address);
  if (!decision.allowed) throw new Error(`refused for ${decision.retryAfterSeconds} s`);
}

describe('backoffDelayMs', () => {
  it.each([
    [0, 0],
    [4, 0],
    [5, 1000],
    [6, 2000],
    [7, 4000],
    [10, 32_000],
    [11, 60_000],
    [1000, 60_000],
  ])('after %i failures (5 free) waits %i ms', (failures, wait) => {
    expect(backoffDelayMs(failures, 5, 1000, 60_000)).toBe(wait);
  });
});

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });

  it('an unknown address is one key', () => {
    expect(addressKey(null)).toBe('-');
  });
});

describe('LoginThrottle', () => {
  it('counts addresses in one IPv6 /64 together, so rotating within it buys no new budget', () => {
    const { t } = throttle();
    for (let i = 0; i < 20; i++) fail(t, `user${i}@x`, `2001:db8:5:6::${(i + 1).toString(16)}`);
    expect(t.retryAfterSeconds('other@x', '2001:db8:5:6:ffff::1')).toBe(1);
    expect(t.retryAfterSeconds('other@x', '2001:db8:5:7::1')).toBe(0);
  });

  it('lets the free failures through, then doubles the wait after each further failure', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 5; i++) fail(t, 'a@x', '10.0.0.1');
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const refused = t.begin('a@x', '10.0.0.1');
      expect(refused.allowed).toBe(false);
      const seconds = (refused as { retryAfterSeconds: number }).retryAfterSeconds;
      waits.push(seconds);
      clock.now += seconds * 1000;
      fail(t, 'a@x', '10.0.0.1');
    }
    expect(waits).toEqual([1, 2, 4, 8]);
  });

  it('starts the account + address budget again on success', () => {
    const { t: t, clock } = throttle();
    for (let i = 0; i < 5; i++) fail(t, 'a@x', '10.0.0.1');
    expect(t.retryAfterSeconds('a@x', '10.0.0.1')).toBe(1);
    clock.now += 1000;
    const ok = t.begin('a@x', '10.0.0.1');
    if (!ok.allowed) throw new Error('refused');
    ok.attempt.succeeded();
    expect(t.retryAfterSeconds('a@x', '10.0.0.1')).toBe(0);
    for (let i = 0; i < 5; i++) fail(t, 'a@x', '10.0.0.1');
    expect(t.retryAfterSeconds('a@x', '10.0.0.1')).toBe(1);
  });

  it('counts an attempt when it starts, so parallel guesses are throttled before any finishes', () => {
    const { t } = throttle();
    const decisions = Array.from({ length: 8 }, () => t.begin('a@x', '10.0.0.1'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, false]);
  });

  it('a refunded attempt is not counted', () => {
    const { t } = throttle();
    for (let i = 0; i < 10; i++) {
      const d = t.begin('a@x', '10.0.0.1');
      if (!d.allowed) throw new Error('refused');
      d.attempt.refund();
    }
    expect(t.retryAfterSeconds('a@x', '10.0.0.1')).toBe(0);
  });

  it('throttles one address spraying few guesses over many accounts', () => {
    const { t } = throttle();
    let allowed = 0;
    for (let account = 0; account < 50; account++) {
      for (let guess = 0; guess < 3; guess++) if (t.begin(`user${account}@x`, '10.0.0.9').allowed) allowed++;
    }
    expect(allowed).toBe(20);
    // Another address is not affected.
    expect(t.retryAfterSeconds('user0@x', '10.0.0.10')).toBe(0);
  });

  it('a success does not refill the address budget (owning one account does not help a sprayer)', () => {
    const { t } = throttle();
    for (let i = 0; i < 20; i++) fail(t, `victim${i}@x`, '10.0.0.9');
    expect(t.retryAfterSeconds('mine@x', '10.0.0.9')).toBe(1);
  });

  it('slows strangers to an attacked account, but not the owner on an address that signed in before', () => {
    const { t } = throttle();
    const own = t.begin('a@x', '10.0.0.1');
    if (!own.allowed) throw new Error('refused');
    own.attempt.succeeded();
    // An attacker rotates addresses: five guesses from each of two (the account budget is 10).
    for (let n = 0; n < 2; n++) for (let i = 0; i < 5; i++) fail(t, 'a@x', `192.0.2.${n}`);
    expect(t.retryAfterSeconds('a@x', '198.51.100.1')).toBeGreaterThan(0);
    expect(t.retryAfterSeconds('a@x', '10.0.0.1')).toBe(0);
  });

  it('forgets failures after a quiet period', () => {
    const { t, clock } = throttle({ forgetAfterMs: 60_000 });
    for (let i = 0; i < 5; i++) fail(t, 'a@x', '10.0.0.1');
    clock.now += 60_001;
    expect(t.retryAfterSeconds('a@x', '10.0.0.1')).toBe(0);
  });

  it('stops trusting an address after the trust period', () => {
    const { t, clock } = throttle({ trustAddressMs: 120_000 });
    const own = t.begin('a@x', '10.0.0.1');
    if (!own.allowed) throw new Error('refused');
    own.attempt.succeeded();
    clock.now += 120_001;
    for (let n = 0; n < 2; n++) for (let i = 0; i < 5; i++) fail(t, 'a@x', `192.0.2.${n}`);
    expect(t.retryAfterSeconds('a@x', '10.0.0.1')).toBe(1);
  });

  it('an administrator clearing the account forgets its failures on every address', () => {
    const { t } = throttle();
    for (let n = 0; n < 2; n++) for (let i = 0; i < 5; i++) fail(t, 'a@x', `192.0.2.${n}`);
    t.clearAccount('a@x');
    expect(t.retryAfterSeconds('a@x', '192.0.2.0')).toBe(0);
    expect(t.retryAfterSeconds('a@x', '203.0.113.1')).toBe(0);
  });

  it('caps the wait at the maximum', () => {
    const { t, clock } = throttle({ maxDelayMs: 5000 });
    for (let i = 0; i < 5; i++) fail(t, 'a@x', '10.0.0.1');
    for (let i = 0; i < 6; i++) {
      clock.now += 5000;
      fail(t, 'a@x', '10.0.0.1');
    }
    expect(t.retryAfterSeconds('a@x', '10.0.0.1')).toBe(5);
  });
});
