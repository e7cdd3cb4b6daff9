import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logging.js';
import { jsonErrorHandler } from './http/middleware.js';
import { AppError, ERROR_STATUS, ackCodeOf, badRequest, conflict, forbidden, internal, locked, notFound, notFoundMessage, tooManyRequests, type ErrorCode } from './errors.js';

describe('one error type', () => {
  it.each([
    [badRequest('x'), 400, 'bad_payload'],
    [forbidden(), 403, 'forbidden'],
    [notFound('Conversation', 'c1'), 404, 'not_found'],
    [notFoundMessage('You are not monitoring this conversation.'), 404, 'not_found'],
    [conflict('changed meanwhile'), 409, 'conflict'],
    [new AppError('script_incomplete', 'Finish the required script steps first: …'), 409, 'script_incomplete'],
    [new AppError('survey_expired', 'expired'), 410, 'conflict'],
    [new AppError('slot_taken', 'taken'), 409, 'conflict'],
    [locked('locked'), 423, 'conflict'],
    [tooManyRequests('slow down', 3), 429, 'too_many_requests'],
    [new AppError('unauthorized', 'sign in'), 401, 'forbidden'],
    [internal(), 500, 'internal'],
  ] as const)('%s: HTTP %i, acknowledged as %s', (error, status, ack) => {
    expect(error.status).toBe(status);
    expect(ackCodeOf(error)).toBe(ack);
  });

  it('gives every code a status, and only a stated exception overrides it', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) expect(new AppError(code as ErrorCode, 'm').status).toBe(status);
    expect(new AppError('invalid_totp', 'wrong code', undefined, 400).status).toBe(400);
  });

  it('reaches a REST client with its own status from any route, and an unexpected error as a 500 without a stack', async () => {
    const app = express();
    app.get('/conflict', () => {
      throw conflict('The conversation changed meanwhile.');
    });
    app.get('/async-forbidden', async () => {
      await Promise.resolve();
      throw forbidden('Only the conversation’s agent can close it.');
    });
    app.get('/bug', () => {
      throw new TypeError('secret internals');
    });
    app.use(jsonErrorHandler(createLogger('silent'), 1024));
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const conflicted = await fetch(`${base}/conflict`);
      expect(conflicted.status).toBe(409);
      expect(await conflicted.json()).toEqual({ error: { code: 'conflict', message: 'The conversation changed meanwhile.' } });
      const refused = await fetch(`${base}/async-forbidden`);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      const bug = await fetch(`${base}/bug`);
      expect(bug.status).toBe(500);
      const text = await bug.text();
      expect(JSON.parse(text).error.code).toBe('internal');
      expect(text).not.toContain('secret internals');
    } finally {
      server.close();
    }
  });
});
