/**
 * The FHIR R4 API mounted at /fhir/R4, ahead of the application's JSON body parser: this router
 * authenticates, checks the response format (JSON only: anything else is 406), and reads a write's
 * body only once the caller may write that type, with the caller's size limit (body-limits.ts).
 * Thin handlers: check the input (content type, headers, query), build the actor, call the
 * service, present the result as application/fhir+json. Every error, including those of the body
 * parser and authentication, leaves as an OperationOutcome (`createFhirErrorHandler`).
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logging.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { VERSION } from '../platform/version.js';
import { authenticate, requirePrincipal } from '../platform/auth/middleware.js';
import { accessReason } from '../platform/auth/phi-access.js';
import type { TokenService } from '../platform/auth/tokens.js';
import { badRequest, notAcceptable, notFoundMessage, unsupportedMediaType } from '../platform/errors.js';
import { parseInput } from '../platform/http/validation.js';
import { buildCapabilityStatement } from './capability.js';
import { fhirErrorHandler, fhirNotFound, methodNotAllowed, sendOutcome } from './outcome.js';
import { baseUrlFor, etagFor, everythingJson, historyJson, searchsetJson, sendFhir } from './present.js';
import { parseSearch, queryPairs, type SearchQuery } from './search-query.js';
import { isPatientCompartmentType } from './search-parameters.js';
import { fhirJsonBody, type BodyLimitConfig } from './body-limits.js';
import { authorizeImport, authorizeTypeWrite } from './policy.js';
import { parseEverythingParams } from './operations/everything.js';
import type { FhirService, Actor, WrittenResource } from './service.js';
import { parseVersionTag, type TransactionService } from './transaction.js';
import { registerFhirOpenApi } from './openapi.js';

const FHIR_JSON_TYPES = ['application/fhir+json', 'application/json', 'application/*+json'];
/** `_format` values that mean JSON; any other format (xml, ttl, …) is 406. */
const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir']);

/** Query parameters that any non-search endpoint accepts (and ignores: JSON is the only format). */
const formatOnly = z.strictObject({ _format: z.string().max(100).optional(), _pretty: z.string().max(10).optional() });
const historyQuery = formatOnly.extend({ _count: z.string().regex(/^\d{1,4}$/, 'must be a whole number from 1 to 1000').optional() });

export interface FhirRouteDeps {
  config: Pick<Config, 'PUBLIC_URL'> & BodyLimitConfig;
  tokens: Pick<TokenService, 'verifyAccessToken'>;
  logger: Logger;
  openapi: OpenApiRegistry;
  service: FhirService;
  transactions: TransactionService;
}

export function createFhirErrorHandler(ctx: Pick<FhirRouteDeps, 'logger' | 'config'>): ErrorRequestHandler {
  return fhirErrorHandler(ctx.logger, ctx.config.MAX_BODY_BYTES);
}

export function createFhirRouter(ctx: FhirRouteDeps): Router {
  const router = express.Router({ caseSensitive: true });
  const { service, transactions } = ctx;
  const capabilityCache = new Map<string, string>();
  const capabilityDate = new Date().toISOString();
  registerFhirOpenApi(ctx.openapi);

  const base = (req: Request) => baseUrlFor(req, ctx.config);
  const jsonFor = (kind: Parameters<typeof fhirJsonBody>[1]) => fhirJsonBody(ctx.config, kind);
  const rawFor = (kind: Parameters<typeof fhirJsonBody>[1]) => fhirJsonBody(ctx.config, kind, { raw: true });

  // JSON is the only format: say so (406) before doing any work.
  router.use(((req, _res, next) => {
    const format = formatOf(req);
    if (format !== undefined && !JSON_FORMATS.has(format)) {
      throw notAcceptable(`_format=${format.slice(0, 40)} is not available: this server speaks FHIR JSON only (application/fhir+json).`);
    }
    if (req.headers.accept !== undefined && !req.accepts(['application/fhir+json', 'application/json'])) {
      throw notAcceptable(`Accept: ${req.headers.accept.slice(0, 80)} cannot be met: this server speaks FHIR JSON only (application/fhir+json).`);
    }
    next();
  }) satisfies RequestHandler);
  // The token only (bodies are read per route, after authorization).
  router.use(authenticate(ctx.tokens));

  router.get('/metadata', (req, res) => {
    checkQuery(req, formatOnly);
    const url = base(req);
    let body = capabilityCache.get(url);
    if (!body) {
      body = JSON.stringify(buildCapabilityStatement({ version: VERSION, baseUrl: url, date: capabilityDate }));
      if (capabilityCache.size > 20) capabilityCache.clear();
      capabilityCache.set(url, body);
    }
    sendFhir(res, 200, body);
  });

  // Everything below needs a signed-in user.
  router.use(((req, _res, next) => {
    requirePrincipal(req);
    next();
  }) satisfies RequestHandler);

  // Writes: who may write this at all is decided from the token and the URL, before the body is read.
  const mayImport: RequestHandler = (req, _res, next) => {
    authorizeImport(requirePrincipal(req));
    next();
  };
  const mayWriteType: RequestHandler = (req, _res, next) => {
    const actor = actorOf(req);
    authorizeTypeWrite(actor.principal, service.writableType(String(req.params.type)), actor.reason);
    next();
  };
  const mayReadPatient: RequestHandler = (req, _res, next) => {
    service.readAccess(actorOf(req), 'Patient', 404);
    next();
  };

  // A Bundle stays raw bytes: it is parsed where it is prepared, in the import worker when it is large.
  router.post('/', mayImport, rawFor('bundle'), async (req, res) => {
    const body = jsonBody(req);
    sendFhir(res, 200, await transactions.process(actorOf(req), body, { baseUrl: base(req) }));
  });

  const everything = async (req: Request, res: express.Response, body: unknown) => {
    const id = req.params.id as string;
    const params = parseEverythingParams(queryPairs(rawQuery(req)), body);
    const page = await service.everything(actorOf(req), id, params);
    sendFhir(res, 200, everythingJson(base(req), id, params, page));
  };
  router.get('/Patient/:id/$everything', (req, res) => everything(req, res, undefined));
  router.post('/Patient/:id/$everything', mayReadPatient, jsonFor('parameters'), (req, res) => {
    const empty = req.headers['transfer-encoding'] === undefined && Number(req.headers['content-length'] ?? 0) === 0;
    return everything(req, res, empty ? undefined : jsonBody(req));
  });

  const search = async (req: Request, res: express.Response, pairs: Array<[string, string]>, compartment?: string) => {
    const actor = actorOf(req);
    // Access first, so an unknown type is a 404 and a missing reason a 403, whatever the query.
    const { type } = service.readAccess(actor, req.params.type as string, 404);
    if (compartment !== undefined && !isPatientCompartmentType(type)) {
      throw notFoundMessage(`${type} is not in the Patient compartment: search /${type} instead.`);
    }
    const query: SearchQuery = parseSearch(type, pairs, { lenient: isLenient(req) });
    const result = await service.searchType(actor, query, new URLSearchParams(pairs).toString(), compartment === undefined ? {} : { compartment });
    const path = compartment === undefined ? type : `Patient/${compartment}/${type}`;
    sendFhir(res, 200, searchsetJson(base(req), query, result, { path, included: result.included, includesTruncated: result.includesTruncated }));
  };

  router.get('/:type', (req, res) => search(req, res, queryPairs(rawQuery(req))));

  const formBody = express.text({ type: 'application/x-www-form-urlencoded', limit: '256kb' });
  const searchForm = (req: Request, res: express.Response, compartment?: string) => {
    if (req.headers['content-type'] !== undefined && !req.is('application/x-www-form-urlencoded')) {
      throw unsupportedMediaType('POST _search takes application/x-www-form-urlencoded parameters.');
    }
    const fromBody = typeof req.body === 'string' ? queryPairs(req.body) : [];
    return search(req, res, [...queryPairs(rawQuery(req)), ...fromBody], compartment);
  };
  router.post('/:type/_search', formBody, (req, res) => searchForm(req, res));

  router.post('/:type', mayWriteType, jsonFor('resource'), (req, res) => {
    checkQuery(req, formatOnly);
    const body = jsonBody(req);
    const ifNoneExist = header(req, 'if-none-exist');
    const result = service.create(actorOf(req), String(req.params.type), body, ifNoneExist === undefined ? {} : { ifNoneExist });
    sendWritten(req, res, base(req), result);
  });

  router.get('/:type/:id', async (req, res) => {
    checkQuery(req, formatOnly);
    const row = await service.read(actorOf(req), req.params.type, req.params.id);
    const etag = etagFor(row.version_id);
    if (req.headers['if-none-match'] === etag) {
      res.status(304).setHeader('ETag', etag);
      res.end();
      return;
    }
    sendFhir(res, 200, row.content, { etag, lastModified: row.last_updated });
  });

  router.put('/:type/:id', mayWriteType, jsonFor('resource'), (req, res) => {
    checkQuery(req, formatOnly);
    const body = jsonBody(req);
    const ifMatch = versionHeader(req);
    const result = service.update(actorOf(req), String(req.params.type), String(req.params.id), body, ifMatch === undefined ? {} : { ifMatch });
    sendWritten(req, res, base(req), result);
  });

  router.delete('/:type/:id', (req, res) => {
    checkQuery(req, formatOnly);
    const ifMatch = versionHeader(req);
    const { versionId } = service.delete(actorOf(req), req.params.type, req.params.id, ifMatch === undefined ? {} : { ifMatch });
    sendFhir(
      res,
      200,
      JSON.stringify({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'information', code: 'informational', diagnostics: `${req.params.type}/${req.params.id} is deleted.` }],
      }),
      versionId === undefined ? {} : { etag: etagFor(versionId) },
    );
  });

  router.get('/:type/:id/_history', async (req, res) => {
    const { _count } = checkQuery(req, historyQuery);
    const count = _count === undefined ? 100 : Math.min(Math.max(Number(_count), 1), 1000);
    const { type, id } = req.params;
    const rows = await service.history(actorOf(req), type, id, count);
    sendFhir(res, 200, historyJson(base(req), type, id, rows, rows[0]?.version_id ?? 0));
  });

  router.get('/:type/:id/_history/:vid', async (req, res) => {
    checkQuery(req, formatOnly);
    const row = await service.vread(actorOf(req), req.params.type, req.params.id, req.params.vid);
    sendFhir(res, 200, row.content, { etag: etagFor(row.version_id), lastModified: row.last_updated });
  });

  // The Patient compartment: Patient/{id}/{type} searches that type within the patient's record.
  router.get('/Patient/:id/:type', (req, res) => {
    assertCompartmentId(req.params.id);
    return search(req, res, queryPairs(rawQuery(req)), req.params.id);
  });
  router.post('/Patient/:id/:type/_search', formBody, (req, res) => {
    assertCompartmentId(req.params.id as string);
    return searchForm(req, res, req.params.id as string);
  });

  const notAllowed: RequestHandler = (req) => {
    throw methodNotAllowed(req.method, `${req.baseUrl}${req.path}`);
  };
  router.all('/', notAllowed);
  router.all('/:type', notAllowed);
  router.all('/:type/:id', notAllowed);
  router.all('/:type/:id/_history', notAllowed);
  router.all('/:type/:id/_history/:vid', notAllowed);
  router.all('/Patient/:id/$everything', notAllowed);
  router.all('/Patient/:id/:type', notAllowed);
  router.use(fhirNotFound);
  router.use(createFhirErrorHandler(ctx));
  return router;
}

function actorOf(req: Request): Actor {
  return {
    principal: requirePrincipal(req),
    reason: accessReason(req),
    requestId: String(req.id ?? ''),
    ip: req.ip ?? null,
  };
}

/** The `_format` query parameter, without media type parameters (`;charset=…`). */
function formatOf(req: Request): string | undefined {
  const raw = rawQuery(req);
  if (!raw.includes('_format')) return undefined;
  const value = new URLSearchParams(raw).get('_format');
  return value === null ? undefined : value.split(';')[0]!.trim().toLowerCase();
}

function assertCompartmentId(id: string): void {
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw badRequest(`Invalid patient id "${id.slice(0, 80)}" in the compartment path.`);
}

function rawQuery(req: Request): string {
  const q = req.originalUrl.indexOf('?');
  return q === -1 ? '' : req.originalUrl.slice(q + 1);
}

/** Rejects unknown query parameters on endpoints that take none (beyond _format/_pretty). */
function checkQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const raw = rawQuery(req);
  return parseInput(schema, raw ? Object.fromEntries(queryPairs(raw)) : {}, 'query');
}

/** The parsed JSON body of a write, or 400 (none) / 415 (not JSON). */
function jsonBody(req: Request): unknown {
  const empty = req.headers['transfer-encoding'] === undefined && Number(req.headers['content-length'] ?? 0) === 0;
  if (empty) throw badRequest('This needs a FHIR resource in the request body (Content-Type: application/fhir+json).');
  if (!req.is(FHIR_JSON_TYPES)) throw unsupportedMediaType('Send FHIR resources as application/fhir+json (or application/json).');
  return req.body;
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function versionHeader(req: Request): number | undefined {
  const raw = header(req, 'if-match');
  if (raw === undefined) return undefined;
  const version = parseVersionTag(raw);
  if (version === undefined) throw badRequest(`If-Match must be a version ETag like W/"3", not "${raw.slice(0, 40)}".`);
  return version;
}

function isLenient(req: Request): boolean {
  const prefer = header(req, 'prefer');
  return prefer !== undefined && /(?:^|[\s,;])handling=lenient\b/.test(prefer);
}

function sendWritten(req: Request, res: express.Response, base: string, result: WrittenResource): void {
  const { resource, versionId, lastUpdated, status } = result;
  const location = `${base}/${resource.resourceType}/${resource.id}/_history/${versionId}`;
  const headers = { etag: etagFor(versionId), lastModified: lastUpdated, location };
  const prefer = header(req, 'prefer') ?? '';
  if (/\breturn=minimal\b/.test(prefer)) {
    sendFhir(res, status, '', headers);
  } else if (/\breturn=OperationOutcome\b/.test(prefer)) {
    res.setHeader('ETag', headers.etag).setHeader('Location', headers.location);
    sendOutcome(res, status, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'information', code: 'informational', diagnostics: `${resource.resourceType}/${resource.id} version ${versionId} saved.` }],
    });
  } else {
    sendFhir(res, status, JSON.stringify(resource), headers);
  }
}
