import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, createLogSink } from './logging.js';

describe('log sink', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-log-'));

  it('writes redacted JSON lines to a file', async () => {
    const file = path.join(dir, 'server.log');
    const fd = fs.openSync(file, 'w');
    const sink = createLogSink(fd);
    const logger = createLogger('info', sink);
    logger.info({ user: { password: 'hunter2' } }, 'signed in');
    await sink.flush(100);
    fs.closeSync(fd);
    const [line] = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; user: { password: string } });
    expect(line).toMatchObject({ msg: 'signed in', user: { password: '[redacted]' } });
    expect(sink.dropped).toBe(0);
  });

  it('drops lines instead of throwing when its descriptor is gone', () => {
    const fd = fs.openSync(path.join(dir, 'closed.log'), 'w');
    const sink = createLogSink(fd);
    fs.closeSync(fd);
    const logger = createLogger('info', sink);
    expect(() => {
      logger.info('one');
      logger.error('two');
    }).not.toThrow();
    expect(sink.dropped).toBe(2);
  });
});
