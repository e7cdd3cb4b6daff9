/**
 * `npm start`: runs the Carebridge server, waits until it is healthy, makes sure the desktop app is
 * built, and opens it where the Electron binary is installed. Elsewhere it says so in one line,
 * prints the browser address of the same workstation (/desk), and keeps serving.
 *
 * Environment: PORT (as the server), ELECTRON_PATH (an Electron binary to use),
 * CAREBRIDGE_SKIP_BUILD=1 (do not build the desktop app or the portal), CAREBRIDGE_NO_DESKTOP=1 (no desktop app).
 * SIGINT/SIGTERM go to the server (and the app), and the launcher exits with the server's code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const serverDir = path.join(repoRoot, 'server');
const desktopDir = path.join(repoRoot, 'desktop');
const electronPackageDir = path.join(repoRoot, 'node_modules', 'electron');

const HEALTH_DEADLINE_MS = 120_000;
const ELECTRON_INSTALL_TIMEOUT_MS = 15_000;

const port = Number(process.env.PORT ?? 4000) || 4000;
const baseUrl = `http://localhost:${port}`;
const flag = (name: string) => /^(1|true|yes|on)$/i.test(process.env[name] ?? '');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The Electron binary: ELECTRON_PATH, or the one the electron package downloaded. */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env, packageDir = electronPackageDir): string | null {
  if (env.ELECTRON_PATH) return fs.existsSync(env.ELECTRON_PATH) ? env.ELECTRON_PATH : null;
  try {
    const relative = fs.readFileSync(path.join(packageDir, 'path.txt'), 'utf8').trim();
    const binary = path.join(packageDir, 'dist', relative);
    return relative && fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** One attempt at electron's own download (fails quickly without network); resolves when it ends. */
function tryInstallElectron(): Promise<void> {
  const installer = path.join(electronPackageDir, 'install.js');
  if (!fs.existsSync(installer)) return Promise.resolve();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [installer], { cwd: electronPackageDir, stdio: 'ignore', detached: process.platform !== 'win32' });
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }, ELECTRON_INSTALL_TIMEOUT_MS);
    child.once('error', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function needsDesktopBuild(): boolean {
  return !fs.existsSync(path.join(desktopDir, 'dist', 'renderer', 'index.html')) || !fs.existsSync(path.join(desktopDir, 'dist', 'main', 'index.cjs'));
}

function needsPortalBuild(): boolean {
  const dist = path.join(serverDir, 'portal', 'dist');
  return !fs.existsSync(path.join(dist, 'index.html')) || !fs.existsSync(path.join(dist, 'widget.js'));
}

/** `npm run <script> -w <workspace>`; resolves true when it succeeded (a failure is reported, not fatal). */
function runBuild(what: string, script: string, workspace: string): Promise<boolean> {
  say(`Building ${what} (first start)…`);
  return new Promise((resolve) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, ['run', script, '-w', workspace], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], shell: process.platform === 'win32' });
    let errors = '';
    child.stderr!.on('data', (d: Buffer) => (errors = (errors + d.toString()).slice(-2000)));
    child.once('error', () => resolve(false));
    child.once('exit', (code) => {
      if (code !== 0) process.stderr.write(`Building ${what} failed (exit ${code}); the API keeps running.\n${errors}\n`);
      resolve(code === 0);
    });
  });
}

const buildDesktop = () => runBuild('the desktop app', 'build', '@carebridge/desktop');

async function waitForHealth(server: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + HEALTH_DEADLINE_MS;
  while (Date.now() < deadline && server.exitCode === null) {
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function main(): Promise<void> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: serverDir, stdio: 'inherit', env: process.env });
  let desktop: ChildProcess | null = null;
  let stopping = false;

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    if (desktop && desktop.exitCode === null) desktop.kill('SIGTERM');
    if (server.exitCode === null) server.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  server.once('exit', (code, signal) => {
    if (desktop && desktop.exitCode === null) desktop.kill('SIGTERM');
    process.exit(code ?? (signal ? 1 : 0));
  });

  // The patient portal and chat widget are served by the server itself, desktop or not.
  if (!flag('CAREBRIDGE_SKIP_BUILD') && needsPortalBuild()) void runBuild('the patient portal', 'build:portal', '@carebridge/server');
  if (flag('CAREBRIDGE_NO_DESKTOP')) return;

  const built = !flag('CAREBRIDGE_SKIP_BUILD') && needsDesktopBuild() ? buildDesktop() : Promise.resolve(!needsDesktopBuild());
  let binary = findElectronBinary();
  const installAttempt = binary ? Promise.resolve() : tryInstallElectron();

  const healthy = await waitForHealth(server);
  if (stopping || server.exitCode !== null) return;
  if (!healthy) {
    process.stderr.write(`The server did not answer ${baseUrl}/api/health within ${HEALTH_DEADLINE_MS / 1000} s; still waiting on it.\n`);
    return;
  }
  const [haveBuild] = await Promise.all([built, installAttempt]);
  if (stopping) return;
  binary ??= findElectronBinary();
  const deskUrl = `${baseUrl}/desk`;
  if (!binary) {
    say(`Desktop app not available here (Electron binary not installed); open ${deskUrl} in a browser.`);
    return;
  }
  if (!haveBuild) {
    say(`Desktop app not built; open ${deskUrl} in a browser.`);
    return;
  }
  say(`Opening the Carebridge desktop app (also at ${deskUrl}).`);
  desktop = spawn(binary, [path.join(desktopDir, 'dist', 'main', 'index.cjs'), `--server-url=${baseUrl}`], { stdio: 'inherit' });
  desktop.once('error', (err) => say(`Desktop app could not start (${err.message}); open ${deskUrl} in a browser.`));
  desktop.once('exit', (code) => {
    if (!stopping) say(`Desktop app closed${code ? ` (exit ${code})` : ''}; the server keeps running at ${baseUrl} (Ctrl+C stops it).`);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`Carebridge launcher failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
