/**
 * Static files for the desktop app: the renderer at /desk (so it runs in any browser too) and the
 * update feed at /updates/<channel>/ for electron-updater's generic provider.
 */
import path from 'node:path';
import type { Express } from 'express';
import type { Config } from '../platform/config.js';
import { serveSinglePageApp } from '../platform/http/spa.js';

export const UPDATE_CHANNEL_PATTERN = /^[a-z0-9-]{1,32}$/;
const UPDATE_FILE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._ +-]{0,199}$/;

export function registerDeskRoutes(app: Express, ctx: { config: Pick<Config, 'UPDATES_DIR' | 'DESK_DIR'> }): void {
  const updatesDir = path.resolve(ctx.config.UPDATES_DIR);

  serveSinglePageApp(app, {
    mountPath: '/desk',
    directory: ctx.config.DESK_DIR,
    notBuilt: { title: 'Carebridge desk', name: 'Carebridge desk', buildCommand: 'npm run build:renderer -w @carebridge/desktop' },
    relativeAssetUrls: true,
    // Monaco (the Scripts workspace's editor) creates its theme and marker styles at run time.
    inlineStyles: true,
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
