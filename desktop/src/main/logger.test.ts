import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, fileSink, redact } from './logger.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-logger-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXZhbHVl';

describe('main-process logger', () => {
  it.each([
    [{ refreshToken: 'abc' }, { refreshToken: '[redacted]' }],
    [{ password: 'hunter2' }, { password: '[redacted]' }],
    [{ totp: '123456' }, { totp: '[redacted]' }],
    [{ authorization: 'Bearer x' }, { authorization: '[redacted]' }],
    [{ detail: `token was ${jwt}` }, { detail: 'token was [jwt]' }],
    [{ header: 'Bearer abc.def-ghi' }, { header: 'Bearer [redacted]' }],
    [{ channel: 'badge:set', count: 3, ok: true }, { channel: 'badge:set', count: 3, ok: true }],
  ])('redacts %j', (fields, expected) => {
    expect(redact(fields)).toEqual(expected);
  });

  it('writes JSON lines to the log file and masks a JWT even in the message', () => {
    const logDir = path.join(dir, 'logs');
    const logger = createLogger([fileSink(logDir)], () => new Date('2026-01-01T00:00:00Z'));
    logger.warn(`refused ${jwt}`, { channel: 'session:save' });
    const lines = fs.readFileSync(path.join(logDir, 'main.log'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: '2026-01-01T00:00:00.000Z', level: 'warn', message: 'refused [jwt]', channel: 'session:save' },
    ]);
  });

  it('keeps going when a sink fails', () => {
    const seen: string[] = [];
    const logger = createLogger([{ write: () => { throw new Error('disk full'); } }, { write: (l) => seen.push(l) }]);
    expect(() => logger.error('x')).not.toThrow();
    expect(seen).toHaveLength(1);
  });
});
