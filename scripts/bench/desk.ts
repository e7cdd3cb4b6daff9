/**
 * Desk renderer benchmark in headless Chromium on loopback, next to a same-run baseline: an empty
 * Vite React page (one heading and one input) built with the same Vite into a temp folder and
 * served by a tiny static server. For each of N runs, in a fresh browser context (cold cache):
 *
 * - load → interactive: navigation start until the first enabled input exists (the page's clock);
 * - sign-in → workspace: the Sign in click until the workspace heading exists, both on the page's
 *   clock (it includes the server's password check). Probes run on every animation frame: Playwright's
 *   locator waits re-check at growing intervals and would round slow-ish runs up by up to 500 ms;
 * - initial JavaScript: gzip size of the JS fetched before sign-in, against the lazy chunks.
 *
 *   npm run bench:desk -- [--runs 20]
 *
 * Goals: load → sign-in ≤ 1 s, sign-in → workspace ≤ 1.5 s, initial JS ≤ 500 kB gzipped.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../server/src/testing/browser.js';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { startTestServer } from '../../server/src/testing/server.js';
import { createUser, TEST_PASSWORD } from '../../server/src/testing/accounts.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const RUNS = Math.max(1, Number(args.runs));
const root = path.resolve(import.meta.dirname, '../..');

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (v: number) => `${v.toFixed(0)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

async function viteBuild(config: Parameters<typeof build>[0]): Promise<void> {
  // Vite follows NODE_ENV: make sure this is the production build users get.
  process.env.NODE_ENV = 'production';
  await build({ ...config, mode: 'production', logLevel: 'warn' });
}

/** The baseline page: React rendering one heading and one input, nothing else. */
async function buildBaseline(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-bench-baseline-'));
  // The baseline resolves the same react and react-dom as the desk.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head><body><div id="root"></div><script type="module" src="/main.jsx"></script></body></html>',
  );
  fs.writeFileSync(
    path.join(dir, 'main.jsx'),
    `import { createRoot } from 'react-dom/client';
createRoot(document.getElementById('root')).render(<main><h1>Baseline</h1><label>Email <input /></label></main>);
`,
  );
  await viteBuild({ root: dir, base: './', plugins: [react()], build: { outDir: path.join(dir, 'dist'), emptyOutDir: true, modulePreload: { polyfill: false } } });
  return path.join(dir, 'dist');
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(dir, rel);
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

/** Gzip sizes of the JS files in `dir/assets`, split into those fetched (initial) and the rest. */
function jsSizes(dir: string, fetched: Set<string>): { initial: number; lazy: number; initialFiles: number; lazyFiles: number } {
  const result = { initial: 0, lazy: 0, initialFiles: 0, lazyFiles: 0 };
  for (const name of fs.readdirSync(path.join(dir, 'assets'))) {
    if (!name.endsWith('.js')) continue;
    const size = gzipSync(fs.readFileSync(path.join(dir, 'assets', name)), { level: 9 }).length;
    if (fetched.has(name)) {
      result.initial += size;
      result.initialFiles++;
    } else {
      result.lazy += size;
      result.lazyFiles++;
    }
  }
  return result;
}

/** The bits of the page's DOM the probes use (this file is type-checked without the DOM library). */
interface PageDocument {
  querySelector(selector: string): unknown;
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
  addEventListener(type: string, listener: () => void, options: { capture: boolean; once: boolean }): void;
}
/** Inside the page (probes are serialized, so each names the document itself). */
type InPage = { document: PageDocument };

/**
 * The page's own clock (ms since navigation) when `probe` first holds, checked on every animation frame.
 * Playwright's locator waits re-check at growing intervals (up to 500 ms and more), which would round
 * slow-ish runs up by hundreds of milliseconds.
 */
async function whenInPage(page: Page, probe: () => number | false, timeout = 15_000): Promise<number> {
  const handle = await page.waitForFunction(probe, undefined, { polling: 'raf', timeout });
  return (await handle.jsonValue()) as number;
}

async function measureLoad(browser: Browser, url: string, fetched: Set<string>): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('response', (res) => {
    const name = new URL(res.url()).pathname.split('/').pop() ?? '';
    if (name.endsWith('.js')) fetched.add(name);
  });
  await page.goto(url);
  const t = await whenInPage(page, () => ((globalThis as unknown as InPage).document.querySelector('input:not([disabled])') ? performance.now() : false));
  await context.close();
  return t;
}

async function main(): Promise<void> {
  console.log(`Building the desk renderer and the baseline page (vite ${(await import('vite')).version})…`);
  // Its own output folder: another build of desktop/dist/renderer mid-run would swap the chunks.
  const deskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-bench-desk-'));
  await viteBuild({ configFile: path.join(root, 'desktop/vite.config.ts'), build: { outDir: deskDir, emptyOutDir: true } });
  const baselineDir = await buildBaseline();

  const server = await startTestServer({ DESK_DIR: deskDir });
  const baseline = await serveStatic(baselineDir);
  const agent = await createUser(server, { role: 'agent' });
  const browser = await launchChromium();

  const deskFetched = new Set<string>();
  const baselineFetched = new Set<string>();
  const deskLoad: number[] = [];
  const baselineLoad: number[] = [];
  const signInTimes: number[] = [];
  try {
    // One warm-up of each, not counted (first Chromium start, server JIT).
    await measureLoad(browser, `${server.url}/desk/`, new Set());
    await measureLoad(browser, baseline.url, new Set());
    for (let run = 0; run < RUNS; run++) {
      baselineLoad.push(await measureLoad(browser, baseline.url, baselineFetched));
      deskLoad.push(await measureLoad(browser, `${server.url}/desk/`, deskFetched));

      const context = await browser.newContext();
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('requestfailed', (r) => problems.push(`${r.url()} failed: ${r.failure()?.errorText ?? '?'}`));
      page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('favicon.ico') && problems.push(`${r.url()} answered ${r.status()}`));
      await page.goto(`${server.url}/desk/`);
      await page.getByLabel('Email').fill(agent.email);
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      const button = page.getByRole('button', { name: 'Sign in' });
      await button.waitFor();
      // The click's time on the page's clock, taken in the click handler's own task.
      const clicked = page.evaluate(() => new Promise<number>((resolve) => (globalThis as unknown as InPage).document.addEventListener('click', () => resolve(performance.now()), { capture: true, once: true })));
      let shown: number;
      try {
        await button.click();
        shown = await whenInPage(page, () => (Array.from((globalThis as unknown as InPage).document.querySelectorAll('h1')).some((h) => h.textContent === 'Conversations') ? performance.now() : false));
      } catch (err) {
        await page.screenshot({ path: '/tmp/carebridge-bench-failure.png' });
        const alerts = await page.getByRole('alert').allTextContents();
        throw new Error(`run ${run + 1}: no workspace after sign-in (${alerts.join(' / ') || 'no message'}; ${problems.join('; ')}); screenshot in /tmp/carebridge-bench-failure.png`, { cause: err });
      }
      signInTimes.push(shown - (await clicked));
      await context.close();
      process.stdout.write('.');
    }
  } finally {
    await browser.close();
    await baseline.close();
    await server.close();
  }
  process.stdout.write('\n');

  const desk = jsSizes(deskDir, deskFetched);
  const base = jsSizes(baselineDir, baselineFetched);
  console.log(`\nDesk renderer, headless Chromium on loopback, ${RUNS} runs, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'})\n`);
  const rows = [
    ['', 'p50', 'p95', 'goal'],
    ['baseline: load → interactive input', ms(percentile(baselineLoad, 50)), ms(percentile(baselineLoad, 95)), ''],
    ['desk: load → interactive sign-in', ms(percentile(deskLoad, 50)), ms(percentile(deskLoad, 95)), '≤ 1000 ms'],
    ['desk: sign-in click → workspace', ms(percentile(signInTimes, 50)), ms(percentile(signInTimes, 95)), '≤ 1500 ms'],
  ];
  for (const r of rows) console.log(`${r[0]!.padEnd(38)}${r[1]!.padStart(10)}${r[2]!.padStart(10)}   ${r[3]}`);
  console.log('');
  console.log(`baseline initial JS (gzip)             ${kb(base.initial).padStart(10)} in ${base.initialFiles} file(s)`);
  console.log(`desk initial JS before sign-in (gzip)  ${kb(desk.initial).padStart(10)} in ${desk.initialFiles} file(s)   goal ≤ 500 kB`);
  console.log(`desk lazy chunks (gzip)                ${kb(desk.lazy).padStart(10)} in ${desk.lazyFiles} file(s)`);
  fs.rmSync(path.dirname(baselineDir), { recursive: true, force: true });
  fs.rmSync(deskDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
