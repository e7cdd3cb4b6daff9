/**
 * The bundles as Electron loads them: the preload runs in a sandbox where `require` knows only a
 * handful of modules, so its bundle must need nothing but `electron`; the main bundle needs only
 * Node built-ins and `electron` (no node_modules ship in the installers).
 */
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { build, type BuildOptions } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const desktopDir = path.resolve(import.meta.dirname, '../..');
const { targets } = (await import(pathToFileURL(path.join(desktopDir, 'build/build-main.mjs')).href)) as { targets: Record<'main' | 'preload', BuildOptions> };
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-bundles-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

async function bundle(name: 'main' | 'preload'): Promise<string> {
  const outfile = path.join(out, `${name}.cjs`);
  await build({ ...targets[name], outfile, sourcemap: false, logLevel: 'silent' });
  return fs.readFileSync(outfile, 'utf8');
}

describe('bundles', () => {
  it('the preload runs with a sandbox require and exposes exactly window.carebridge', async () => {
    const code = await bundle('preload');
    const exposed = new Map<string, unknown>();
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) },
      ipcRenderer: { invoke: async (...args: unknown[]) => (invoked.push(args), { ok: true, value: null }), on: () => undefined, removeListener: () => undefined },
    };
    const sandboxRequire = (id: string) => {
      if (id === 'electron') return electron;
      throw new Error(`module not available in a sandboxed preload: ${id}`);
    };
    const module = { exports: {} };
    vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports });
    expect([...exposed.keys()]).toEqual(['carebridge']);
    const bridge = exposed.get('carebridge') as { platform: string; setBadge(n: number): Promise<unknown> };
    expect(bridge.platform).toBe('electron');
    await bridge.setBadge(2);
    expect(invoked).toEqual([['badge:set', { count: 2 }]]);
    // No zod and no Node modules in the preload.
    expect(code.length).toBeLessThan(10_000);
  });

  it('the main bundle needs only Node built-ins and electron', async () => {
    const code = await bundle('main');
    const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));
    const allowed = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'electron']);
    expect([...required].filter((id) => !allowed.has(id))).toEqual([]);
    expect(required.has('electron')).toBe(true);
  });
});
