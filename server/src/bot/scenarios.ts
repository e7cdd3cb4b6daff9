/**
 * Scenario authoring: import and export in Azure Health Bot's format, drafts, publish (with the
 * publish-time checks: the whole format, dangling targets, loops that ask nothing), rollback, and the
 * built-in scenarios of `health-bot/scenarios/` (imported at start: a changed file becomes the
 * published version). Keeps the engine's `ScenarioLibrary` and `StringCatalog` in step with what is
 * published. Writes are audited.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  scenarioExportSchema,
  stringTablesSchema,
  type ScenarioCode,
  type ScenarioDetail,
  type ScenarioDraft,
  type ScenarioExport,
  type ScenarioImport,
  type ScenarioImportResponse,
  type ScenarioProblem,
  type ScenarioStatus,
  type ScenarioSummary,
  type StringTables,
} from '../contracts/bot.js';
import type { AuditLog } from '../platform/audit/audit.js';
import { conflict, notFound, unprocessable } from '../platform/errors.js';
import type { RequestMeta } from '../platform/http/request-meta.js';
import type { Logger } from '../platform/logging.js';
import { compileScenario, type ScenarioLibrary } from './library.js';
import { checkScenarioCode, extraExportFields, parseCodeText, toExport, type ExportMeta } from './scenario-format.js';
import type { BotStore, ScenarioRow } from './store.js';
import type { StringCatalog } from './strings.js';

export interface Author {
  userId: string;
  role: string;
}

interface StoredMeta {
  updated?: string;
  userDisplayName?: string;
  extra?: Record<string, unknown>;
}

export class ScenarioService {
  constructor(
    private readonly deps: {
      store: BotStore;
      library: ScenarioLibrary;
      strings: StringCatalog;
      audit: Pick<AuditLog, 'record'>;
      logger: Logger;
      now?: () => Date;
    },
  ) {}

  private stamp(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }

  /** Loads what is published and the string tables into memory (at start). */
  async load(): Promise<void> {
    const byLocale = new Map<string, Record<string, string>>();
    for (const row of await this.deps.store.strings()) {
      const table = byLocale.get(row.locale) ?? {};
      table[row.key] = row.value;
      byLocale.set(row.locale, table);
    }
    for (const [locale, entries] of byLocale) this.deps.strings.set(locale, entries);
    for (const row of await this.deps.store.publishedVersions()) {
      if (row.active === 0) continue;
      const checked = checkScenarioCode(JSON.parse(row.code) as unknown, { scenarioExists: () => true, loopsAreErrors: false });
      if (!checked.code) {
        this.deps.logger.error({ trigger: row.trigger, version: row.version, errors: checked.errors }, 'a published bot scenario no longer passes its checks: not loaded');
        continue;
      }
      this.deps.library.setPublished(compileScenario({ id: row.scenario_id, trigger: row.trigger, name: row.name, version: row.version }, checked.code));
    }
  }

  /** Makes a version runnable again (a conversation is still in it) — the engine asks before a turn. */
  async ensureVersion(trigger: string, version: number): Promise<boolean> {
    if (this.deps.library.version(trigger, version)) return true;
    const scenario = await this.deps.store.scenarioByTrigger(trigger);
    const row = scenario ? await this.deps.store.version(scenario.id, version) : undefined;
    if (!scenario || !row) return false;
    const checked = checkScenarioCode(JSON.parse(row.code) as unknown, { scenarioExists: () => true, loopsAreErrors: false });
    if (!checked.code) return false;
    this.deps.library.remember(compileScenario({ id: scenario.id, trigger, name: scenario.name, version }, checked.code));
    return true;
  }

  /**
   * Imports an export as Azure Health Bot writes it: a new version of the scenario with that id (or
   * trigger), published at once unless `publish` is false or the publish checks fail (then 422). A
   * string table given with it is merged into the bot's tables.
   */
  async importScenario(author: Author | null, body: ScenarioImport & { publish?: boolean }, origin: 'import' | 'builtin', meta: RequestMeta | null): Promise<ScenarioImportResponse> {
    const parsed = parseCodeText(body.code);
    if (parsed.error) throw unprocessable('The scenario cannot be imported: code is not valid JSON.', { errors: [parsed.error] });
    const publish = body.publish !== false;
    const checked = checkScenarioCode(parsed.value, { scenarioExists: (t) => t === body.scenario_trigger || this.deps.library.has(t), loopsAreErrors: publish });
    if (checked.errors.length > 0) {
      throw unprocessable(`The scenario cannot be imported: ${checked.errors[0]!.message}${checked.errors.length > 1 ? ` (and ${checked.errors.length - 1} more)` : ''}`, { errors: checked.errors });
    }
    const at = this.stamp();
    const stored: StoredMeta = {
      ...(body.updated !== undefined ? { updated: body.updated } : {}),
      ...(body.userDisplayName !== undefined ? { userDisplayName: body.userDisplayName } : {}),
      extra: extraExportFields(body as Record<string, unknown>),
    };
    const result = await this.deps.store.transaction(async (store) => {
      const byId = body.id ? await store.scenario(body.id) : undefined;
      const byTrigger = await store.scenarioByTrigger(body.scenario_trigger);
      if (byId && byTrigger && byId.id !== byTrigger.id) throw conflict(`Another scenario (${byTrigger.id}) already has the trigger "${body.scenario_trigger}".`);
      const existing = byId ?? byTrigger;
      const id = existing?.id ?? body.id ?? randomUUID();
      const fields = {
        trigger: body.scenario_trigger,
        name: body.name,
        description: body.description ?? '',
        active: body.active === false ? 0 : 1,
        export_meta: JSON.stringify(stored),
        updated_at: at,
      };
      if (existing) await store.updateScenario(id, fields);
      else await store.insertScenario({ id, origin, created_at: at, ...fields });
      const versions = await store.versions(id);
      const version = (versions[0]?.version ?? 0) + 1;
      if (publish) await store.retirePublished(id);
      await store.insertVersion({
        scenario_id: id,
        version,
        status: publish ? 'published' : 'draft',
        code: body.code,
        created_by: author?.userId ?? null,
        created_at: at,
        published_at: publish ? at : null,
      });
      if (body.strings) for (const [locale, entries] of Object.entries(body.strings)) await store.upsertStrings(locale, entries, at);
      return { id, version };
    });
    if (body.strings) for (const [locale, entries] of Object.entries(body.strings)) this.deps.strings.set(locale, entries);
    if (publish && body.active !== false) {
      this.deps.library.setPublished(compileScenario({ id: result.id, trigger: body.scenario_trigger, name: body.name, version: result.version }, checked.code!));
    }
    this.audit(author, 'bot.scenario.import', result.id, { trigger: body.scenario_trigger, version: result.version, origin, published: publish }, meta);
    return { id: result.id, trigger: body.scenario_trigger, steps: checked.code!.steps.length, version: result.version, status: publish ? 'published' : 'draft', warnings: checked.warnings };
  }

  /** The scenario as Azure Health Bot exports it: the published version (else the latest). */
  async exportScenario(id: string, version?: number): Promise<ScenarioExport> {
    const scenario = await this.require(id);
    const versions = await this.deps.store.versions(id);
    const row = version !== undefined ? versions.find((v) => v.version === version) : (versions.find((v) => v.status === 'published') ?? versions[0]);
    if (!row) throw notFound('Scenario version', `${id}@${version ?? 'latest'}`);
    const stored = JSON.parse(scenario.export_meta) as StoredMeta;
    const meta: ExportMeta = {
      id: scenario.id,
      name: scenario.name,
      trigger: scenario.trigger,
      description: scenario.description,
      active: scenario.active === 1,
      updated: stored.updated && row.created_at === scenario.updated_at ? stored.updated : row.created_at,
      userDisplayName: stored.userDisplayName,
      extra: stored.extra ?? {},
    };
    return toExport(meta, JSON.parse(row.code) as unknown);
  }

  async list(): Promise<ScenarioSummary[]> {
    const out: ScenarioSummary[] = [];
    for (const row of await this.deps.store.scenarios()) out.push(await this.summary(row));
    return out;
  }

  async detail(id: string, version?: number): Promise<ScenarioDetail> {
    const row = await this.require(id);
    const versions = await this.deps.store.versions(id);
    const chosen = version !== undefined ? versions.find((v) => v.version === version) : (versions.find((v) => v.status === 'draft') ?? versions.find((v) => v.status === 'published') ?? versions[0]);
    if (!chosen) throw notFound('Scenario version', `${id}@${version}`);
    return {
      ...(await this.summary(row)),
      version: chosen.version,
      status: chosen.status as ScenarioStatus,
      code: JSON.parse(chosen.code) as ScenarioCode,
      versions: versions.map((v) => ({
        version: v.version,
        status: v.status as ScenarioStatus,
        createdBy: v.created_by,
        createdAt: v.created_at,
        publishedAt: v.published_at,
        steps: (JSON.parse(v.code) as { steps?: unknown[] }).steps?.length ?? 0,
      })),
    };
  }

  /** A new scenario as a draft. */
  async create(author: Author, draft: ScenarioDraft, meta: RequestMeta): Promise<ScenarioDetail> {
    this.checkDraft(draft);
    const at = this.stamp();
    const id = randomUUID();
    await this.deps.store.transaction(async (store) => {
      if (await store.scenarioByTrigger(draft.trigger)) throw conflict(`A scenario already has the trigger "${draft.trigger}".`);
      await store.insertScenario({ id, trigger: draft.trigger, name: draft.name, description: draft.description, active: draft.active ? 1 : 0, origin: 'authored', export_meta: '{}', created_at: at, updated_at: at });
      await store.insertVersion({ scenario_id: id, version: 1, status: 'draft', code: JSON.stringify(draft.code), created_by: author.userId, created_at: at, published_at: null });
    });
    this.audit(author, 'bot.scenario.create', id, { trigger: draft.trigger }, meta);
    return this.detail(id);
  }

  /** Saves the open draft (a new one from the latest version when none is open). */
  async saveDraft(author: Author, id: string, draft: ScenarioDraft, meta: RequestMeta): Promise<ScenarioDetail> {
    this.checkDraft(draft);
    const at = this.stamp();
    await this.deps.store.transaction(async (store) => {
      const row = await store.scenario(id);
      if (!row) throw notFound('Scenario', id);
      const other = await store.scenarioByTrigger(draft.trigger);
      if (other && other.id !== id) throw conflict(`Another scenario already has the trigger "${draft.trigger}".`);
      const versions = await store.versions(id);
      const open = versions.find((v) => v.status === 'draft');
      if (draft.baseVersion !== undefined && open && open.version !== draft.baseVersion) throw conflict(`The draft was saved by someone else since version ${draft.baseVersion} (it is version ${open.version} now).`);
      await store.updateScenario(id, { trigger: draft.trigger, name: draft.name, description: draft.description, active: draft.active ? 1 : 0, updated_at: at });
      if (open) {
        await store.db.updateTable('bot_scenario_versions').set({ code: JSON.stringify(draft.code), created_by: author.userId, created_at: at }).where('scenario_id', '=', id).where('version', '=', open.version).execute();
      } else {
        await store.insertVersion({ scenario_id: id, version: (versions[0]?.version ?? 0) + 1, status: 'draft', code: JSON.stringify(draft.code), created_by: author.userId, created_at: at, published_at: null });
      }
    });
    this.audit(author, 'bot.scenario.draft', id, { trigger: draft.trigger }, meta);
    return this.detail(id);
  }

  /** Publishes a version (default: the open draft) after the publish checks. */
  async publish(author: Author, id: string, version: number | undefined, meta: RequestMeta): Promise<ScenarioDetail & { warnings: ScenarioProblem[] }> {
    const row = await this.require(id);
    const versions = await this.deps.store.versions(id);
    const target = version !== undefined ? versions.find((v) => v.version === version) : versions.find((v) => v.status === 'draft');
    if (!target) throw notFound('Scenario version', version !== undefined ? `${id}@${version}` : `${id} draft`);
    const checked = checkScenarioCode(JSON.parse(target.code) as unknown, { scenarioExists: (t) => t === row.trigger || this.deps.library.has(t), loopsAreErrors: true });
    if (!checked.code) throw unprocessable(`Version ${target.version} cannot be published: ${checked.errors[0]!.message}`, { errors: checked.errors });
    const at = this.stamp();
    await this.deps.store.transaction(async (store) => {
      await store.retirePublished(id);
      await store.setVersionStatus(id, target.version, 'published', at);
      await store.updateScenario(id, { updated_at: at });
    });
    if (row.active === 1) this.deps.library.setPublished(compileScenario({ id, trigger: row.trigger, name: row.name, version: target.version }, checked.code));
    this.audit(author, 'bot.scenario.publish', id, { version: target.version }, meta);
    return { ...(await this.detail(id, target.version)), warnings: checked.warnings };
  }

  /** Publishes an earlier version again, as a new version (history is kept). */
  async rollback(author: Author, id: string, version: number, meta: RequestMeta): Promise<ScenarioDetail & { warnings: ScenarioProblem[] }> {
    await this.require(id);
    const old = await this.deps.store.version(id, version);
    if (!old) throw notFound('Scenario version', `${id}@${version}`);
    const versions = await this.deps.store.versions(id);
    const next = (versions[0]?.version ?? 0) + 1;
    await this.deps.store.insertVersion({ scenario_id: id, version: next, status: 'draft', code: old.code, created_by: author.userId, created_at: this.stamp(), published_at: null });
    this.audit(author, 'bot.scenario.rollback', id, { from: version, version: next }, meta);
    return this.publish(author, id, next, meta);
  }

  /** Saves string entries (added or changed keys; the others stay) and puts them in force at once. */
  async saveStrings(author: Author, tables: StringTables, meta: RequestMeta): Promise<void> {
    const at = this.stamp();
    await this.deps.store.transaction(async (store) => {
      for (const [locale, entries] of Object.entries(tables)) await store.upsertStrings(locale, entries, at);
    });
    for (const [locale, entries] of Object.entries(tables)) this.deps.strings.set(locale, entries);
    this.deps.audit.record({
      actorId: author.userId,
      actorRole: author.role,
      action: 'bot.strings.save',
      resourceType: 'BotStrings',
      resourceId: Object.keys(tables).join(','),
      details: Object.fromEntries(Object.entries(tables).map(([locale, entries]) => [locale, Object.keys(entries)])),
      ip: meta.ip ?? null,
      requestId: meta.requestId ?? null,
    });
  }

  /**
   * The shipped scenarios (`*.json` exports) and string tables (`strings/<locale>.json`) of a folder:
   * a file whose code differs from the published version is imported as a new one. A broken file is
   * logged and skipped; what is in force stays.
   */
  async importDirectory(dir: string): Promise<{ imported: string[]; unchanged: string[]; failed: string[] }> {
    const report = { imported: [] as string[], unchanged: [] as string[], failed: [] as string[] };
    if (!fs.existsSync(dir)) return report;
    const stringsDir = path.join(dir, 'strings');
    if (fs.existsSync(stringsDir)) {
      const tables: StringTables = {};
      for (const file of fs.readdirSync(stringsDir).filter((f) => f.endsWith('.json')).sort()) {
        const parsed = stringTablesSchema.safeParse({ [path.basename(file, '.json')]: JSON.parse(fs.readFileSync(path.join(stringsDir, file), 'utf8')) as unknown });
        if (parsed.success) Object.assign(tables, parsed.data);
        else this.deps.logger.error({ file, issues: parsed.error.issues }, 'bot string table skipped');
      }
      const at = this.stamp();
      for (const [locale, entries] of Object.entries(tables)) {
        await this.deps.store.upsertStrings(locale, entries, at);
        this.deps.strings.set(locale, entries);
      }
    }
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    const exports: { file: string; body: ScenarioExport }[] = [];
    for (const file of files) {
      try {
        const raw = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
        // Files keep `code` as an object for reading; the export format carries it as a string.
        if (raw.code && typeof raw.code === 'object') raw.code = JSON.stringify(raw.code);
        exports.push({ file, body: scenarioExportSchema.parse(raw) });
      } catch (err) {
        this.deps.logger.error({ err, file }, 'bot scenario file skipped');
        report.failed.push(file);
      }
    }
    // Triggers of this folder count as present while its files are imported (they name each other).
    for (const { file, body } of exports) {
      try {
        const existing = await this.deps.store.scenarioByTrigger(body.scenario_trigger);
        const published = existing ? (await this.deps.store.versions(existing.id)).find((v) => v.status === 'published') : undefined;
        if (published && JSON.stringify(JSON.parse(published.code)) === JSON.stringify(JSON.parse(body.code))) {
          report.unchanged.push(file);
          continue;
        }
        const names = new Set(exports.map((e) => e.body.scenario_trigger));
        const checked = checkScenarioCode(JSON.parse(body.code) as unknown, { scenarioExists: (t) => names.has(t) || this.deps.library.has(t), loopsAreErrors: true });
        if (checked.errors.length > 0) throw unprocessable(checked.errors[0]!.message, { errors: checked.errors });
        await this.importScenario(null, body, 'builtin', null);
        report.imported.push(file);
      } catch (err) {
        this.deps.logger.error({ err, file }, 'bot scenario file not imported');
        report.failed.push(file);
      }
    }
    return report;
  }

  private checkDraft(draft: ScenarioDraft): void {
    const checked = checkScenarioCode(draft.code, { scenarioExists: () => true, loopsAreErrors: false });
    if (checked.errors.length > 0) throw unprocessable(`The draft cannot be saved: ${checked.errors[0]!.message}`, { errors: checked.errors });
  }

  private async summary(row: ScenarioRow): Promise<ScenarioSummary> {
    const versions = await this.deps.store.versions(row.id);
    return {
      id: row.id,
      name: row.name,
      trigger: row.trigger,
      description: row.description,
      active: row.active === 1,
      origin: row.origin as ScenarioSummary['origin'],
      publishedVersion: versions.find((v) => v.status === 'published')?.version ?? null,
      draftVersion: versions.find((v) => v.status === 'draft')?.version ?? null,
      updatedAt: row.updated_at,
    };
  }

  private async require(id: string): Promise<ScenarioRow> {
    const row = await this.deps.store.scenario(id);
    if (!row) throw notFound('Scenario', id);
    return row;
  }

  private audit(author: Author | null, action: string, id: string, details: Record<string, unknown>, meta: RequestMeta | null): void {
    this.deps.audit.record({
      actorId: author?.userId ?? null,
      actorRole: author?.role ?? 'system',
      action,
      resourceType: 'BotScenario',
      resourceId: id,
      details,
      ip: meta?.ip ?? null,
      requestId: meta?.requestId ?? null,
    });
  }
}
