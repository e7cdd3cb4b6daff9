/**
 * `npm start` as a user runs it, on a machine without the Electron binary: the server comes up,
 * the launcher says in one line where the workstation is, and SIGTERM stops everything cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, freePort } from '../server/src/testing/processes.js';
import { findElectronBinary } from './start.js';

const repoRoot = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-start-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});


describe('findElectronBinary', () => {
  it('uses ELECTRON_PATH when it exists, and nothing when it does not', () => {
    const fake = path.join(dir, 'electron-bin');
    fs.writeFileSync(fake, '');
    expect(findElectronBinary({ ELECTRON_PATH: fake }, path.join(dir, 'none'))).toBe(fake);
    expect(findElectronBinary({ ELECTRON_PATH: path.join(dir, 'missing') }, path.join(dir, 'none'))).toBeNull();
  });

  it('uses the electron package download (path.txt + dist) and ignores a half-installed one', () => {
    const pkg = path.join(dir, 'electron-pkg');
    fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
    expect(findElectronBinary({}, pkg)).toBeNull();
    fs.writeFileSync(path.join(pkg, 'path.txt'), 'electron');
    expect(findElectronBinary({}, pkg)).toBeNull();
    fs.writeFileSync(path.join(pkg, 'dist', 'electron'), '');
    expect(findElectronBinary({}, pkg)).toBe(path.join(pkg, 'dist', 'electron'));
  });
});

describe('npm start without Electron', () => {
  it('serves, prints one line with the /desk address, and stops on SIGTERM', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(dir, 'start.db')}`,
      SEED_PATIENTS: '20',
      LOG_LEVEL: 'warn',
      CAREBRIDGE_SKIP_BUILD: '1',
      // electron's installer honours this and exits at once: no download attempt from a test.
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
    };
    delete env.ELECTRON_PATH;
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));

    const expected = `Desktop app not available here (Electron binary not installed); open http://localhost:${port}/desk in a browser.`;
    const deadline = Date.now() + 55_000;
    while (Date.now() < deadline && !stdout.includes(expected) && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    expect(stdout, stderr).toContain(expected);
    expect(stdout.split('\n').filter((l) => l.startsWith('Desktop app'))).toEqual([expected]);

    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
  }, 60_000);
});
