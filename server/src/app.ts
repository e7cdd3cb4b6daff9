/**
 * The Express application, assembled from the composition without listening, so tests run it on an
 * ephemeral port and main.ts on the configured one. It knows no domain: it loops over the modules'
 * mounts (at their phase of the pipeline) and routes.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Composition } from './composition.js';
import { apiNotFound, jsonErrorHandler } from './platform/http/middleware.js';
import { requestLogger } from './platform/http/request-log.js';
import { allowedOrigins, cors } from './platform/http/cors.js';
import { authenticate } from './platform/auth/middleware.js';
import { VERSION } from './platform/version.js';
import type { HttpPhase } from './platform/module.js';
import { badRequest } from './platform/errors.js';
import { MAX_JSON_DEPTH, jsonTextTooDeep } from './platform/http/json-depth.js';

export function createApp(composition: Pick<Composition, 'config' | 'logger' | 'modules' | 'tokens' | 'openapi'>): Express {
  const { config, logger, modules } = composition;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'extended');

  // Paths that carry credentials (survey links) are rewritten before they are logged.
  const redactions = modules.flatMap((m) => (m.redactPath ? [m.redactPath.bind(m)] : []));
  app.use(requestLogger(logger, { ignore: (path) => path === '/api/health', redact: (path) => redactions.reduce((p, redact) => redact(p), path) }));
  const mount = (phase: HttpPhase) => {
    for (const module of modules) for (const m of module.mounts ?? []) if (m.phase === phase) m.mount(app);
  };
  mount('pre-cors');
  app.use(['/api', '/fhir/R4'], cors(allowedOrigins(config.CORS_ORIGINS)));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], objectSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  mount('pre-body');
  app.use(
    express.json({
      limit: config.MAX_BODY_BYTES,
      type: ['application/json', 'application/*+json'],
      strict: true,
      // Refused before parsing: validation and reference rewriting walk bodies recursively.
      verify: (_req, _res, body) => {
        if (jsonTextTooDeep(body)) throw badRequest(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`);
      },
    }),
  );
  app.use(authenticate(composition.tokens));

  const api = express.Router();
  for (const module of modules) module.routes?.(api);
  api.get('/openapi.json', (_req, res) => {
    res.json(composition.openapi.document({ version: VERSION, ...(config.PUBLIC_URL ? { serverUrl: config.PUBLIC_URL } : {}) }));
  });
  api.use(apiNotFound);
  app.use('/api', api);
  mount('post-api');

  // The site icon (browsers ask for /favicon.ico on every page): Carebridge's mark, as SVG.
  app.get(['/favicon.ico', '/favicon.svg'], (_req, res) => {
    res.type('image/svg+xml').set('Cache-Control', 'public, max-age=86400').send(FAVICON_SVG);
  });
  app.get('/', (_req, res) => {
    res.json({ name: 'Carebridge', version: VERSION, api: '/api', fhir: '/fhir/R4', openapi: '/api/openapi.json', desk: '/desk/', portal: '/portal/' });
  });
  app.use(jsonErrorHandler(logger, config.MAX_BODY_BYTES));
  return app;
}

/** Two overlapping rounded squares in the brand's blue and green. */
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="2" width="20" height="20" rx="5" fill="#0b5cad"/><rect x="10" y="10" width="20" height="20" rx="5" fill="#2fb37a" fill-opacity=".9"/></svg>';
