/**
 * The knowledge base's public door: articles from `knowledge-base/` (imported at start), their
 * versions and the editors' workflow, and search (SQLite FTS5 behind `KnowledgeIndex`, medical
 * synonyms from `health-bot/vocabulary/synonyms.json`, spelling correction). See README.md.
 */
import type SQLite from 'better-sqlite3';
import type { AuditLog } from '../platform/audit/audit.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { Logger } from '../platform/logging.js';
import type { DomainModule } from '../platform/module.js';
import { registerKnowledgeRoutes } from './routes.js';
import { KnowledgeService } from './service.js';
import { SqliteKnowledgeIndex } from './sqlite-index.js';
import { KnowledgeStore } from './store.js';
import { Synonyms } from './synonyms.js';

export { KnowledgeService, type ImportReport, type Viewer } from './service.js';
export { SqliteKnowledgeIndex, FIELD_WEIGHTS } from './sqlite-index.js';
export { KnowledgeStore } from './store.js';
export { Synonyms } from './synonyms.js';
export { readArticleFiles, parseArticleFile } from './content.js';
export { markdownPlainText, words as searchWords, STOP_WORDS } from './text.js';
export type { KnowledgeIndex } from './search-index.js';

export interface KnowledgeModuleDeps {
  sqlite: SQLite.Database;
  audit: Pick<AuditLog, 'record'>;
  openapi: OpenApiRegistry;
  logger: Logger;
  /** The folder of article files imported at start (none: nothing imported). */
  contentDir: string | null;
  /** The synonyms file (none: search without synonyms). */
  synonymsFile: string | null;
  now?: () => Date;
}

export type KnowledgeModule = DomainModule & { api: KnowledgeService };

export function createKnowledgeModule(deps: KnowledgeModuleDeps): KnowledgeModule {
  const synonyms = deps.synonymsFile ? Synonyms.fromFile(deps.synonymsFile) : Synonyms.none();
  const service = new KnowledgeService({
    store: new KnowledgeStore(deps.sqlite),
    index: new SqliteKnowledgeIndex(deps.sqlite),
    synonyms,
    audit: deps.audit,
    logger: deps.logger,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return {
    name: 'knowledge',
    api: service,
    routes: (api) => registerKnowledgeRoutes(api, { openapi: deps.openapi, service }),
    start: () => {
      if (deps.contentDir) service.importDirectory(deps.contentDir);
    },
  };
}
