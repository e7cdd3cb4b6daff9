import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(4000);
    expect(c.databasePath).toBe('./data/carebridge.db');
    expect(c.demoMode).toBe(true);
    expect(c).toMatchObject({
      LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS: 5,
      LOGIN_FREE_FAILURES_PER_ADDRESS: 20,
      LOGIN_FREE_FAILURES_PER_ACCOUNT: 10,
      LOGIN_BACKOFF_BASE_SECONDS: 1,
      LOGIN_BACKOFF_MAX_SECONDS: 900,
      LOGIN_FAILURE_MEMORY_SECONDS: 3600,
      LOGIN_TRUSTED_ADDRESS_DAYS: 30,
    });
  });

  it('turns demo mode off in production unless DEMO_MODE=1', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).demoMode).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DEMO_MODE: '1' }).demoMode).toBe(true);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'postgres://x'],
    ['PUBLIC_URL', 'not a url'],
    ['DEMO_MODE', 'maybe'],
    ['JWT_SECRET', 'short'],
    ['AUDIT_KEY', 'abcdef0123456789'],
    ['CORS_ORIGINS', 'https://ok.example, javascript:alert(1)'],
    ['LOGIN_FREE_FAILURES_PER_ADDRESS', '0'],
    ['LOGIN_BACKOFF_MAX_SECONDS', 'forever'],
    ['SCHEDULING_HOLD_MINUTES', '0'],
    ['CLINIC_TIME_ZONE', 'Mars/Olympus_Mons'],
  ])('fails with one line naming %s when it is %s', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message.split('\n')).toHaveLength(1);
    if (name === 'JWT_SECRET' || name === 'AUDIT_KEY') expect(message).not.toContain(value);
  });
});
