/**
 * The patient portal's files: the React app at /portal/ (its own strict CSP), the survey page at
 * /survey/<token> (the portal's index; the app reads the token from the path), and the embeddable
 * chat widget at /widget.js and its Adaptive Cards renderer at /widget-cards.js (public: any site may load them).
 */
import path from 'node:path';
import type { Express } from 'express';
import type { Config } from '../platform/config.js';
import { serveSinglePageApp } from '../platform/http/spa.js';

/** The widget changes with releases at a fixed URL: caches revalidate after five minutes. */
export const WIDGET_CACHE_CONTROL = 'public, max-age=300';

export function registerPortalRoutes(app: Express, ctx: { config: Pick<Config, 'PORTAL_DIR'> }): void {
  const portalDir = path.resolve(ctx.config.PORTAL_DIR);

  const portal = serveSinglePageApp(app, {
    mountPath: '/portal',
    directory: portalDir,
    notBuilt: { title: 'Carebridge portal', name: 'Carebridge patient portal', buildCommand: 'npm run build:portal -w @carebridge/server' },
  });

  // /widget-cards.js is the widget's Adaptive Cards renderer, which the widget loads only when a card arrives.
  for (const file of ['widget.js', 'widget-cards.js']) {
    const filePath = path.join(portalDir, file);
    app.get(`/${file}`, (_req, res) => {
      // Loaded by <script src> from clinic sites: cross-origin reads allowed (helmet's CORP says same-origin).
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Cache-Control', WIDGET_CACHE_CONTROL);
      res.sendFile(filePath, { headers: { 'Content-Type': 'text/javascript; charset=utf-8' } }, (err) => {
        if (err && !res.headersSent) {
          res.status(503).setHeader('Cache-Control', 'no-store').type('text').send('The Carebridge chat widget is not built yet: run npm run build.');
        }
      });
    });
  }

  // The survey link: the token is a credential, so the page is never cached and the access log
  // skips the path (the portal module's redactPath).
  app.get('/survey/:token', (req, res) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    portal.sendIndex(req, res, 'no-store');
  });
}
