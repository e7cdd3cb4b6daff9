import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { requestLogger } from './request-log.js';

describe('requestLogger', () => {
  it('logs one line per request with its id, without the query string', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const app = express();
    app.use(requestLogger(pino({ level: 'info' }, sink), { ignore: (p) => p === '/quiet' }));
    app.get('/patients', (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/quiet', (_req, res) => {
      res.json({ ok: true });
    });
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await fetch(`${base}/patients?name=Jane%20Doe`, { headers: { 'X-Request-Id': 'req-42' } });
      await fetch(`${base}/quiet`);
      await fetch(`${base}/missing`);
      expect(res.headers.get('x-request-id')).toBe('req-42');
      await new Promise((r) => setTimeout(r, 20));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ reqId: 'req-42', method: 'GET', path: '/patients', status: 200, level: 30 });
      expect(JSON.stringify(lines[0])).not.toContain('Jane');
      expect(lines[1]).toMatchObject({ path: '/missing', status: 404, level: 40 });
    } finally {
      server.close();
    }
  });
});
