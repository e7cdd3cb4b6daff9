/**
 * Triage's public door: the symptom vocabulary (health-bot/vocabulary/symptoms.json) and the
 * chief-complaint protocols (health-bot/triage/) loaded and checked at start, `POST
 * /api/triage/assess` and interactive sessions, and `api.assess(input)` for in-process callers
 * such as the bot engine's `triage` and `redFlag` steps. See README.md.
 */
import { fileURLToPath } from 'node:url';
import type { TriageAssessment } from '../contracts/triage.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { DomainModule } from '../platform/module.js';
import { loadProtocols } from './protocols.js';
import { registerTriageRoutes } from './routes.js';
import { TriageService, type TriageInput, type TriageServiceOptions } from './service.js';
import { Vocabulary } from './vocabulary.js';

export { TriageService, type TriageInput } from './service.js';
export { Vocabulary } from './vocabulary.js';
export { extract, type Extraction } from './extract.js';
export { stem } from './text.js';
export { loadProtocols, parseProtocolFile, protocolProblems } from './protocols.js';
export { TRIAGE_REQUESTS_PER_WINDOW } from './routes.js';

/** The shipped content, next to the server's source in the repository. */
export const SHIPPED_SYMPTOMS_FILE = fileURLToPath(new URL('../../../health-bot/vocabulary/symptoms.json', import.meta.url));
export const SHIPPED_PROTOCOLS_DIR = fileURLToPath(new URL('../../../health-bot/triage', import.meta.url));

export interface TriageModuleDeps {
  openapi: OpenApiRegistry;
  symptomsFile?: string;
  protocolsDir?: string;
  rateLimit?: { limit: number; windowMs: number };
  options?: TriageServiceOptions;
}

/** What other modules may call. */
export interface TriageApi {
  assess(input: TriageInput): TriageAssessment;
  service: TriageService;
}

export type TriageModule = DomainModule & { api: TriageApi };

/** Throws (the server does not start) when the vocabulary or a protocol is invalid, naming the file. */
export function createTriageModule(deps: TriageModuleDeps): TriageModule {
  const vocabulary = Vocabulary.fromFile(deps.symptomsFile ?? SHIPPED_SYMPTOMS_FILE);
  const protocols = loadProtocols(deps.protocolsDir ?? SHIPPED_PROTOCOLS_DIR, vocabulary);
  const service = new TriageService(vocabulary, protocols, deps.options);
  return {
    name: 'triage',
    api: { assess: (input) => service.assess(input), service },
    routes: (api) => registerTriageRoutes(api, { openapi: deps.openapi, service, ...(deps.rateLimit ? { rateLimit: deps.rateLimit } : {}) }),
  };
}
