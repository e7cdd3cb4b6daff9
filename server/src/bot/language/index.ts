/**
 * The health bot's language models, the sub-module the scenario engine calls to route an utterance
 * to a scenario: built-in models (health-bot/language-models), authors' RegEx and trained (@nlpjs)
 * models stored in the database, a confidence threshold, the medical vocabulary with misspelling
 * tolerance, and entity recognizers for dates, times, numbers and yes/no. See README.md.
 */
import type SQLite from 'better-sqlite3';
import type { Router } from 'express';
import { fileURLToPath } from 'node:url';
import type { LanguageModelDetail, LanguageModelSummary, Recognition, SaveLanguageModelRequest } from '../../contracts/language.js';
import type { AuditLog } from '../../platform/audit/audit.js';
import { OpenApiRegistry } from '../../platform/http/openapi.js';
import type { Logger } from '../../platform/logging.js';
import type { DomainModule } from '../../platform/module.js';
import { EntityRecognizers } from './entities.js';
import { registerLanguageModelRoutes } from './routes.js';
import { DEFAULT_THRESHOLD, LanguageModelsService } from './service.js';
import { LanguageModelStore } from './store.js';

export { LANGUAGE_MODEL_AUTHOR_ROLES } from './routes.js';
export { DEFAULT_THRESHOLD } from './service.js';
export { MAX_RECOGNIZED_LENGTH } from './engine.js';

const shipped = (relative: string) => fileURLToPath(new URL(`../../../../health-bot/${relative}`, import.meta.url));
export const SHIPPED_LANGUAGE_FILES = {
  modelsDir: shipped('language-models'),
  conditionsFile: shipped('vocabulary/conditions.json'),
  symptomsFile: shipped('vocabulary/symptoms.json'),
} as const;

export interface LanguageModelsDeps {
  /** Where custom models are kept (migration 023); none: only the built-in models, and saving is a 409. */
  sqlite?: SQLite.Database | null;
  openapi?: OpenApiRegistry;
  audit?: Pick<AuditLog, 'record'>;
  logger?: Pick<Logger, 'error' | 'info'>;
  /** Built-in model files (default: the shipped folder; null: none). */
  modelsDir?: string | null;
  conditionsFile?: string | null;
  /** Read when it exists. */
  symptomsFile?: string | null;
  /** Below this score the result has no intent, only alternatives (default 0.4). */
  threshold?: number;
  /** The reference time for relative dates ("tomorrow"). */
  now?: () => Date;
  /** Dates, times, numbers, yes/no (default true). */
  entities?: boolean;
  /** Texts whose entities are cached (default 2,000; 0: none). */
  entityCacheSize?: number;
}

export interface LanguageModels {
  /**
   * Intent, entities and alternatives. `entities: false` leaves out dates, numbers and yes/no
   * (their recognizers cost 1–9 ms a text with a date word; the intent alone costs ~0.1 ms).
   */
  recognize(text: string, locale: 'en-US' | 'es-US' | (string & {}), options?: { entities?: boolean }): Promise<Recognition>;
  models(): Promise<LanguageModelSummary[]>;
  model(id: string): Promise<LanguageModelDetail | null>;
  save(id: string, request: SaveLanguageModelRequest, by: string | null): Promise<{ detail: LanguageModelDetail; created: boolean }>;
  /** Resolves once the built-in and stored models are trained (recognize waits for it too). */
  ready(): Promise<void>;
  readonly threshold: number;
  /** `/api/bot/language-models…` for the bot-author role. */
  registerRoutes(api: Router): void;
  /** The same as a module for the composition root: routes, and training at start. */
  module: DomainModule & { api: LanguageModels };
}

export function createLanguageModels(deps: LanguageModelsDeps = {}): LanguageModels {
  const threshold = deps.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`language models: threshold must be between 0 and 1 (got ${threshold})`);
  const entities = deps.entities === false ? null : new EntityRecognizers({ cacheSize: deps.entityCacheSize ?? 2_000 });
  const service = new LanguageModelsService({
    files: {
      modelsDir: deps.modelsDir === undefined ? SHIPPED_LANGUAGE_FILES.modelsDir : deps.modelsDir,
      conditionsFile: deps.conditionsFile === undefined ? SHIPPED_LANGUAGE_FILES.conditionsFile : deps.conditionsFile,
      symptomsFile: deps.symptomsFile === undefined ? SHIPPED_LANGUAGE_FILES.symptomsFile : deps.symptomsFile,
    },
    store: deps.sqlite ? new LanguageModelStore(deps.sqlite) : null,
    threshold,
    now: deps.now ?? (() => new Date()),
    entities,
    onLoadError: (id, err) => deps.logger?.error({ err, model: id }, 'stored language model skipped: it does not train'),
  });
  const openapi = deps.openapi ?? new OpenApiRegistry();
  const registerRoutes = (api: Router) => registerLanguageModelRoutes(api, { openapi, service, audit: deps.audit });
  const models: LanguageModels = {
    recognize: (text, locale, options) => service.recognize(text, locale, options),
    models: () => service.list(),
    model: (id) => service.get(id),
    save: (id, request, by) => service.save(id, request, by),
    ready: () => service.ready(),
    threshold,
    registerRoutes,
    module: {
      name: 'bot-language',
      get api() {
        return models;
      },
      routes: registerRoutes,
      // The bot asks for intents only (prompts read their own dates and numbers): the date and number
      // recognizers are built when an author's test or a caller first asks for entities.
      start: () => service.ready(),
    },
  };
  return models;
}

// The parts the intent benchmark trains and evaluates on its own split (scripts/bench/intents.ts).
export { readBuiltInModels } from './builtin.js';
export { CompiledModel, recognizeWith } from './engine.js';
export { IntentClassifier } from './classifier.js';
export { evaluate, splitHeldOut, type LabelledUtterance } from './evaluation.js';
export { commonWordsOf, listEntitiesOf } from './service.js';
export { MedicalVocabulary } from './vocabulary.js';
export { EntityRecognizers } from './entities.js';
