/**
 * The patient portal's files: the React app at /portal/ (its own strict CSP), the survey page at
 * /survey/<token> (the portal's index; the app reads the token from the path), and the embeddable
 * chat widget at /widget.js (public: any site may load it).
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import type { AppContext } from '../app.js';

/** Like the desk's: this server only, plus its own socket.io channel; blob: images are chat attachments. */
export function portalContentSecurityPolicy(host: string | undefined): string {
  const sameHostSockets = host && /^[A-Za-z0-9.:[\]-]{1,300}$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${sameHostSockets}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Carebridge portal</title></head>
<body>
<h1>The Carebridge patient portal is not built yet</h1>
<p>Run <code>npm run build</code> (or <code>npm run build:portal -w @carebridge/server</code>) and reload this page.</p>
</body></html>
`;

/** The widget changes with releases at a fixed URL: caches revalidate after five minutes. */
export const WIDGET_CACHE_CONTROL = 'public, max-age=300';

export function registerPortalRoutes(app: Express, ctx: AppContext): void {
  const portalDir = path.resolve(ctx.config.PORTAL_DIR);
  const indexPath = path.join(portalDir, 'index.html');
  const widgetPath = path.join(portalDir, 'widget.js');

  const withCsp = (req: Request, res: Response) => res.setHeader('Content-Security-Policy', portalContentSecurityPolicy(req.headers.host));

  const sendIndex = (req: Request, res: Response, cacheControl = 'no-cache') => {
    withCsp(req, res);
    let html: string;
    try {
      html = fs.readFileSync(indexPath, 'utf8');
    } catch {
      res.status(503).type('html').setHeader('Cache-Control', 'no-store').send(NOT_BUILT_PAGE);
      return;
    }
    res.status(200).type('html').setHeader('Cache-Control', cacheControl).send(html);
  };

  app.get('/widget.js', (_req, res) => {
    // Loaded by <script src> from clinic sites: cross-origin reads allowed (helmet's CORP says same-origin).
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', WIDGET_CACHE_CONTROL);
    res.sendFile(widgetPath, { headers: { 'Content-Type': 'text/javascript; charset=utf-8' } }, (err) => {
      if (err && !res.headersSent) {
        res.status(503).setHeader('Cache-Control', 'no-store').type('text').send('The Carebridge chat widget is not built yet: run npm run build.');
      }
    });
  });

  // The survey link: the token is a credential, so the page is never cached and the access log
  // skips the path (app.ts).
  app.get('/survey/:token', (req, res) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    sendIndex(req, res, 'no-store');
  });

  app.use('/portal', (req, res, next) => {
    withCsp(req, res);
    next();
  });
  app.get('/portal', (req, res, next) => {
    if (req.originalUrl === '/portal' || req.originalUrl.startsWith('/portal?')) {
      res.redirect(301, `/portal/${req.originalUrl.slice('/portal'.length)}`);
      return;
    }
    next();
  });
  app.get('/portal/', (req, res) => sendIndex(req, res));
  app.use(
    '/portal',
    express.static(portalDir, {
      index: false,
      dotfiles: 'deny',
      fallthrough: true,
      setHeaders: (res, filePath) => {
        const relative = path.relative(portalDir, filePath);
        res.setHeader('Cache-Control', relative.startsWith(`assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.get('/portal/*rest', (req, res) => {
    // A missing file is a 404, not the app: the browser would otherwise parse HTML as JavaScript.
    if (/^\/portal\/assets\//.test(req.path) || path.extname(req.path) !== '') {
      res.status(404).type('text').send('Not found');
      return;
    }
    sendIndex(req, res);
  });
}
