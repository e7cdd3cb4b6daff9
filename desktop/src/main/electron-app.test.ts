/**
 * The whole desktop app through Playwright's Electron support, against a real server: it starts
 * on app://desk with the bridge and without Node, an agent signs in and sees the agent's
 * workspaces, and the window refuses to navigate away.
 *
 * Needs an Electron binary (ELECTRON_PATH); it cannot be downloaded on the build machines, so
 * there the suite reports itself as skipped, never as passed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@carebridge/server/testing/processes';

const electronPath = process.env.ELECTRON_PATH;
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const desktopDir = path.join(repoRoot, 'desktop');
const mainEntry = path.join(desktopDir, 'dist', 'main', 'index.cjs');


describe.skipIf(!electronPath)('desktop app in Electron (ELECTRON_PATH)', () => {
  let dir = '';
  let server: ChildProcess;
  let serverUrl = '';
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-electron-'));
    if (!fs.existsSync(path.join(desktopDir, 'dist', 'renderer', 'index.html'))) {
      execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '-w', '@carebridge/desktop'], { cwd: repoRoot, stdio: 'ignore' });
    } else {
      execFileSync(process.execPath, [path.join(desktopDir, 'build', 'build-main.mjs')], { cwd: desktopDir, stdio: 'ignore' });
    }
    const port = await freePort();
    serverUrl = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.join(repoRoot, 'server'),
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${path.join(dir, 'e2e.db')}`, SEED_PATIENTS: '20', LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 50_000;
    for (;;) {
      try {
        if ((await fetch(`${serverUrl}/api/health`)).ok) break;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const args = [mainEntry, `--server-url=${serverUrl}`, `--user-data-dir=${path.join(dir, 'user-data')}`];
    // Chromium refuses its sandbox as root (CI containers); the app's own checks stay on.
    if (process.getuid?.() === 0) args.push('--no-sandbox');
    app = await _electron.launch({ executablePath: electronPath!, args, env: { ...process.env, CAREBRIDGE_UPDATES: 'off' } });
    page = await app.firstWindow();
  }, 120_000);

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    if (server && server.exitCode === null) server.kill('SIGTERM');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads the bundled renderer from app://desk with the bridge and without Node', async () => {
    expect(page.url()).toMatch(/^app:\/\/desk\//);
    expect(await page.evaluate(() => (window as unknown as { carebridge?: { platform: string } }).carebridge?.platform)).toBe('electron');
    expect(await page.evaluate(() => typeof (globalThis as Record<string, unknown>).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as Record<string, unknown>).process)).toBe('undefined');
  });

  it('signs an agent in to the agent workspaces', async () => {
    const server = page.getByLabel('Server address');
    if ((await server.inputValue()) !== serverUrl) await server.fill(serverUrl);
    await page.getByLabel('Email').fill('agent1@demo.carebridge.local');
    await page.getByLabel('Password').fill('carebridge-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = page.getByRole('navigation', { name: 'Workspaces' });
    await nav.getByRole('link', { name: 'Conversations' }).waitFor({ timeout: 15_000 });
    expect(await nav.getByRole('link', { name: 'Supervisor' }).count()).toBe(0);
  });

  it('refuses to navigate the window away from the app', async () => {
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toMatch(/^app:\/\/desk\//);
  });
});
