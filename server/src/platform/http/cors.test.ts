import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../testing/server.js';

describe('CORS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ CORS_ORIGINS: 'https://clinic.example' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('lets the desktop app (app://desk) preflight and call the API', async () => {
    const preflight = await fetch(`${server.url}/api/auth/login`, {
      method: 'OPTIONS',
      headers: { Origin: 'app://desk', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('app://desk');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    const res = await fetch(`${server.url}/api/health`, { headers: { Origin: 'app://desk' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('app://desk');
  });

  it('allows configured origins, also for FHIR', async () => {
    const res = await fetch(`${server.url}/fhir/R4/metadata`, { headers: { Origin: 'https://clinic.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://clinic.example');
  });

  it('gives other origins no CORS headers', async () => {
    const res = await fetch(`${server.url}/api/health`, { headers: { Origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/api/auth/login`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
