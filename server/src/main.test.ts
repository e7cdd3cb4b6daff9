/**
 * The real entry point as a user starts it: a child process on a fresh database, which seeds demo
 * data, serves /api/health, and stops cleanly on SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, freePort, spawnTsx } from './testing/processes.js';

const serverDir = path.resolve(import.meta.dirname, '..');


function start(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  return spawnTsx('src/main.ts', { cwd: serverDir, env: { ...process.env, LOG_LEVEL: 'info', ...env } });
}


describe('server entry point', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-main-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails with one line naming a bad variable', async () => {
    const { child, output } = start({ PORT: 'eighty', DATABASE_URL: `sqlite:${path.join(dir, 'bad.db')}` });
    children.push(child);
    expect(await exited(child)).toBe(1);
    expect(output().trim().split('\n')).toEqual(['Invalid environment variable PORT: Invalid input: expected number, received NaN (got "eighty")']);
  });

  it('seeds an empty database, serves health, and shuts down on SIGTERM', async () => {
    const port = await freePort();
    const { child, output } = start({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(dir, 'first-start.db')}`,
      SEED_PATIENTS: '40',
    });
    children.push(child);
    const health = (await waitForHealth(port, child)) as { status: string; database: { patients: number } } | undefined;
    expect(health, output()).toMatchObject({ status: 'ok', database: { patients: 40 } });
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(output()).toContain('stopped');
  }, 60_000);

  it('keeps serving and still stops on SIGTERM after the reader of its log has gone away', async () => {
    const port = await freePort();
    const { child, output } = start({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(dir, 'log-reader-gone.db')}`,
      SEED_PATIENTS: '5',
      LOG_LEVEL: 'debug',
    });
    children.push(child);
    expect(await waitForHealth(port, child), output()).toBeDefined();
    // The process reading the server's stdout stops reading and goes away, as a dead log shipper does.
    child.stdout!.destroy();
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 60; i++) {
          const res = await fetch(`http://127.0.0.1:${port}/api/health`);
          statuses.push(res.status);
          await res.arrayBuffer();
        }
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const asked = Date.now();
    child.kill('SIGTERM');
    const outcome = await Promise.race([exited(child), new Promise((r) => setTimeout(() => r('still running'), 5_000))]);
    expect(outcome, output()).toBe(0);
    expect(Date.now() - asked).toBeLessThan(5_000);
  }, 90_000);
});

/** The first healthy /api/health body, or undefined if the server exits or 50 s pass first. */
async function waitForHealth(port: number, child: ChildProcess): Promise<unknown> {
  const deadline = Date.now() + 50_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) return await res.json();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}
