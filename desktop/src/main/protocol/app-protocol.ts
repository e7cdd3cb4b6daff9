/**
 * Serves the built renderer under `app://desk/` (registered with `protocol.handle` by the platform
 * layer) instead of `file://`. Runtime: main (node), no Electron import: it takes a URL and answers
 * a web `Response`, so it is tested in Node.
 *
 * Only files inside the renderer folder are served (no traversal, no symlinks out of it), every
 * response carries the strict CSP, and anything else is a 404.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from '../origins.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
};

export interface AppProtocolOptions {
  /** The built renderer (desktop/dist/renderer). */
  rootDir: string;
  /** The Content-Security-Policy header value; a function so a changed configuration applies on the next load. */
  contentSecurityPolicy: () => string;
}

/**
 * Maps an `app://desk/...` URL to a file inside `rootDir`, or null when it is not one. Pure apart
 * from path arithmetic; `..` segments, encoded separators and NUL bytes cannot leave the root.
 */
export function resolveAppPath(url: string, rootDir: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST || parsed.username || parsed.password) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '' || pathname.endsWith('/')) pathname += 'index.html';
  const segments = pathname.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return null;
  const root = path.resolve(rootDir);
  const file = path.resolve(root, `.${pathname}`);
  if (!file.startsWith(root + path.sep)) return null;
  return file;
}

function notFound(csp: string, message = 'Not found'): Response {
  const body = `<!doctype html><meta charset="utf-8"><title>Carebridge</title><p>${message}</p>`;
  return new Response(body, {
    status: 404,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' },
  });
}

export function createAppProtocolHandler(options: AppProtocolOptions): (request: { url: string; method?: string }) => Promise<Response> {
  const root = path.resolve(options.rootDir);
  return async (request) => {
    const csp = options.contentSecurityPolicy();
    if (request.method && request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { Allow: 'GET, HEAD', 'Content-Security-Policy': csp } });
    }
    const file = resolveAppPath(request.url, root);
    if (!file) return notFound(csp);
    let body: Buffer;
    try {
      // A symlink inside the build must not point outside it either.
      const real = await fs.realpath(file);
      const realRoot = await fs.realpath(root);
      if (!real.startsWith(realRoot + path.sep)) return notFound(csp);
      body = await fs.readFile(real);
    } catch {
      const isEntry = file === path.join(root, 'index.html');
      return notFound(csp, isEntry ? 'Carebridge could not find its interface files. Reinstall the app or ask IT for help.' : 'Not found');
    }
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': type,
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cache-Control': type.startsWith('text/html') ? 'no-cache' : 'max-age=31536000, immutable',
      },
    });
  };
}
