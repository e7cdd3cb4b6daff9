/**
 * Serving a built single-page app (the desk renderer, the patient portal) below a path of this
 * server: a strict CSP, /<path> → /<path>/, index.html never cached, hashed assets cached forever,
 * client routes answered with the app, missing files 404, and a 503 page while the build is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';

/**
 * The app talks only to the server it came from (REST and its socket.io channel); blob: images are
 * chat attachments. `inlineStyles`: the desk's code editor (Monaco) writes its theme and markers as
 * <style> elements it creates at run time, which `style-src 'self'` would block; scripts stay 'self' only.
 */
export function singlePageAppContentSecurityPolicy(host: string | undefined, options: { inlineStyles?: boolean } = {}): string {
  const sameHostSockets = host && /^[A-Za-z0-9.:[\]-]{1,300}$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    options.inlineStyles ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${sameHostSockets}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface SinglePageAppOptions {
  /** Where the app lives, without a trailing slash, e.g. '/desk'. */
  mountPath: string;
  /** The build output (index.html, assets/). */
  directory: string;
  /** For the 503 page while the build is missing. */
  notBuilt: { title: string; name: string; buildCommand: string };
  /**
   * The app is built with base './': below `<mountPath>/` (the SPA fallback) a <base> keeps its
   * relative asset URLs right.
   */
  relativeAssetUrls?: boolean;
  /** Allow run-time <style> elements (the desk's code editor); see `singlePageAppContentSecurityPolicy`. */
  inlineStyles?: boolean;
}

export interface SinglePageApp {
  /** Answers with index.html under the app's CSP (also for app pages outside the mount path). */
  sendIndex(req: Request, res: Response, cacheControl?: string): void;
}

export function serveSinglePageApp(app: Express, options: SinglePageAppOptions): SinglePageApp {
  const { mountPath, notBuilt } = options;
  const directory = path.resolve(options.directory);
  const indexPath = path.join(directory, 'index.html');
  const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${notBuilt.title}</title></head>
<body>
<h1>The ${notBuilt.name} is not built yet</h1>
<p>Run <code>npm run build</code> (or <code>${notBuilt.buildCommand}</code>) and reload this page.</p>
</body></html>
`;

  const withCsp = (req: Request, res: Response) => res.setHeader('Content-Security-Policy', singlePageAppContentSecurityPolicy(req.headers.host, { inlineStyles: options.inlineStyles === true }));

  const sendIndex = (req: Request, res: Response, cacheControl = 'no-cache') => {
    withCsp(req, res);
    let html: string;
    try {
      html = fs.readFileSync(indexPath, 'utf8');
    } catch {
      res.status(503).type('html').setHeader('Cache-Control', 'no-store').send(notBuiltPage);
      return;
    }
    const deep = options.relativeAssetUrls === true && req.path !== `${mountPath}/`;
    res
      .status(200)
      .type('html')
      .setHeader('Cache-Control', cacheControl)
      .send(deep ? html.replace('<head>', `<head>\n    <base href="${mountPath}/">`) : html);
  };

  app.use(mountPath, (req, res, next) => {
    withCsp(req, res);
    next();
  });
  app.get(mountPath, (req, res, next) => {
    // Only the exact path redirects, so relative asset URLs resolve below <mountPath>/.
    if (req.originalUrl === mountPath || req.originalUrl.startsWith(`${mountPath}?`)) {
      res.redirect(301, `${mountPath}/${req.originalUrl.slice(mountPath.length)}`);
      return;
    }
    next();
  });
  app.get(`${mountPath}/`, (req, res) => sendIndex(req, res));
  app.use(
    mountPath,
    express.static(directory, {
      index: false,
      dotfiles: 'deny',
      fallthrough: true,
      setHeaders: (res, filePath) => {
        const relative = path.relative(directory, filePath);
        res.setHeader('Cache-Control', relative.startsWith(`assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.get(`${mountPath}/*rest`, (req, res) => {
    // A missing file is a 404, not the app: the browser would otherwise parse HTML as JavaScript.
    if (req.path.startsWith(`${mountPath}/assets/`) || path.extname(req.path) !== '') {
      res.status(404).type('text').send('Not found');
      return;
    }
    sendIndex(req, res);
  });

  return { sendIndex };
}
