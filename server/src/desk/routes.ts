/**
 * Static files for the desktop app: the renderer at /desk (so it runs in any browser too) and the
 * update feed at /updates/<channel>/ for electron-updater's generic provider.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import type { AppContext } from '../app.js';

export const UPDATE_CHANNEL_PATTERN = /^[a-z0-9-]{1,32}$/;
const UPDATE_FILE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._ +-]{0,199}$/;

/** The renderer talks only to the server it came from (REST and the socket.io channel). */
export function deskContentSecurityPolicy(host: string | undefined): string {
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
<html lang="en"><head><meta charset="utf-8"><title>Carebridge desk</title></head>
<body>
<h1>The Carebridge desk is not built yet</h1>
<p>Run <code>npm run build</code> (or <code>npm run build:renderer -w @carebridge/desktop</code>) and reload this page.</p>
</body></html>
`;

export function registerDeskRoutes(app: Express, ctx: AppContext): void {
  const deskDir = path.resolve(ctx.config.DESK_DIR);
  const updatesDir = path.resolve(ctx.config.UPDATES_DIR);
  const indexPath = path.join(deskDir, 'index.html');

  const sendIndex = (req: Request, res: Response) => {
    let html: string;
    try {
      html = fs.readFileSync(indexPath, 'utf8');
    } catch {
      res.status(503).type('html').setHeader('Cache-Control', 'no-store').send(NOT_BUILT_PAGE);
      return;
    }
    // Built with base './'. Below /desk/ (the SPA fallback) a <base> keeps relative asset URLs right.
    const deep = req.path !== '/desk/';
    res
      .status(200)
      .type('html')
      .setHeader('Cache-Control', 'no-cache')
      .send(deep ? html.replace('<head>', '<head>\n    <base href="/desk/">') : html);
  };

  app.use('/desk', (req, res, next) => {
    res.setHeader('Content-Security-Policy', deskContentSecurityPolicy(req.headers.host));
    next();
  });
  app.get('/desk', (req, res, next) => {
    // Only the exact path redirects, so relative asset URLs resolve below /desk/.
    if (req.originalUrl === '/desk' || req.originalUrl.startsWith('/desk?')) {
      res.redirect(301, `/desk/${req.originalUrl.slice('/desk'.length)}`);
      return;
    }
    next();
  });
  app.get('/desk/', sendIndex);
  app.use(
    '/desk',
    express.static(deskDir, {
      index: false,
      dotfiles: 'deny',
      fallthrough: true,
      setHeaders: (res, filePath) => {
        const relative = path.relative(deskDir, filePath);
        res.setHeader('Cache-Control', relative.startsWith(`assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.get('/desk/*rest', (req, res) => {
    // A missing asset is a 404, not the app: the browser would otherwise parse HTML as JavaScript.
    if (/^\/desk\/assets\//.test(req.path) || path.extname(req.path) !== '') {
      res.status(404).type('text').send('Not found');
      return;
    }
    sendIndex(req, res);
  });

  app.get('/updates/:channel/*file', (req, res) => {
    const channel = req.params.channel;
    const segments = (req.params as { file?: string[] }).file ?? [];
    if (!UPDATE_CHANNEL_PATTERN.test(channel) || segments.length === 0 || !segments.every((s) => UPDATE_FILE_SEGMENT.test(s) && !s.includes('..'))) {
      res.status(404).type('text').send('Not found');
      return;
    }
    const channelDir = path.join(updatesDir, channel);
    const filePath = path.join(channelDir, ...segments);
    if (!filePath.startsWith(channelDir + path.sep)) {
      res.status(404).type('text').send('Not found');
      return;
    }
    // The feed files (latest*.yml) change with every release; installers never do.
    res.setHeader('Cache-Control', /\.ya?ml$/.test(filePath) ? 'no-cache' : 'public, max-age=3600');
    res.sendFile(filePath, { dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) res.status(404).type('text').send('Not found');
    });
  });
}
