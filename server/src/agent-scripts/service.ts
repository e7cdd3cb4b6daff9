/**
 * Agent scripts: importing the YAML files of `agent-scripts/` at start, supervisors' drafts, publishing
 * and rolling back versions, and each conversation's run of a script (chosen by the selection rules
 * or by hand; answers and steps done kept with the conversation). The conversations core asks
 * `assertMayClose` before an agent wraps up or closes: required steps left refuse it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Patient } from '@medplum/fhirtypes';
import type SQLite from 'better-sqlite3';
import {
  subScriptsIn,
  type AgentScript,
  type ScriptDetail,
  type ScriptError,
  type ScriptReferenceContext,
  type ScriptRunResponse,
  type ScriptRunStep,
  type ScriptRunView,
  type ScriptSummary,
  type ScriptValidation,
  type ScriptVersionOrigin,
  type ScriptVersionStatus,
} from '../contracts/agent-scripts.js';
import type { ConversationView } from '../contracts/conversations.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Actor } from '../platform/auth/actor.js';
import { AppError, conflict, forbidden, notFound, notFoundMessage } from '../platform/errors.js';
import type { RequestMeta } from '../platform/http/request-meta.js';
import type { Logger } from '../platform/logging.js';
import { formatScriptError, parseScript } from './loader.js';
import { AgentScriptRepository, type RunRow, type VersionRow } from './repository.js';
import {
  buildPlan,
  checkAnswer,
  isDone,
  normalizeWords,
  pickScript,
  presentStep,
  progressOf,
  slugOf,
  type ConversationFacts,
  type FieldValues,
  type Plan,
  type PlanStep,
  type StoredAnswer,
} from './runner.js';

/** What scripts need of a conversation (the conversations module's API, narrowed by the composition root). */
export interface ScriptConversations {
  /** The staff view (state, queue, hand-off packet, visitor name), or undefined. */
  view(conversationId: string): ConversationView | undefined;
  /** Staff in the conversation now (the agent, consultants, a supervisor who joined). */
  isStaffIn(conversationId: string, userId: string): boolean;
}

export interface AgentScriptsDeps {
  sqlite: SQLite.Database;
  audit: AuditLog;
  logger: Logger;
  /** The folder of YAML scripts imported at start (null: none). */
  dir: string | null;
  conversations: ScriptConversations;
  /** The patient verified in the conversation (portal sign-in or the agent's check), or null. */
  verifiedPatientOf(conversationId: string): string | null;
  readPatient(id: string): Patient | undefined;
  displayNameOf(userId: string): string | undefined;
  /** Queues and dispositions in force: what scripts may name. */
  queues(): { id: string; name: string }[];
  dispositions(): { code: string; label: string }[];
  clinicName: string;
  now?: () => Date;
}

export interface ImportReport {
  imported: string[];
  unchanged: string[];
  failed: { file: string; errors: ScriptError[] }[];
}

export interface RecordStepResult {
  run: ScriptRunView;
  /** The step to do next (branching applied), null when the script is finished. */
  next: ScriptRunStep | null;
}

type Completed = Record<string, { by: string | null; at: string }>;
const EDITORS = new Set(['supervisor', 'admin']);
const SCRIPT_FILE = /\.ya?ml$/i;

export class AgentScriptsService {
  readonly repo: AgentScriptRepository;
  private readonly now: () => Date;
  /** Parsed definitions by `script@version` (a stored version never changes; drafts are not cached). */
  private readonly definitions = new Map<string, AgentScript>();

  constructor(private readonly deps: AgentScriptsDeps) {
    this.repo = new AgentScriptRepository(deps.sqlite);
    this.now = deps.now ?? (() => new Date());
  }

  // --- files ---

  /**
   * Imports every `*.yaml` of the folder: a new or changed file becomes the published version; a file
   * that fails validation is logged (file, line, step) and the version in force stays.
   */
  importFiles(): ImportReport {
    const report: ImportReport = { imported: [], unchanged: [], failed: [] };
    const dir = this.deps.dir;
    if (dir === null || !fs.existsSync(dir)) return report;
    const files = fs
      .readdirSync(dir)
      .filter((f) => SCRIPT_FILE.test(f))
      .sort();
    const shaped: Array<{ file: string; source: string; hash: string; script: AgentScript }> = [];
    const ids = new Map<string, string>();
    for (const file of files) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      const parsed = parseScript(source);
      if (!parsed.ok) {
        report.failed.push({ file, errors: parsed.errors });
        continue;
      }
      const other = ids.get(parsed.script.id);
      if (other !== undefined) {
        report.failed.push({ file, errors: [{ line: 1, column: 1, step: null, message: `id: script ${parsed.script.id} is already defined in ${other}` }] });
        continue;
      }
      ids.set(parsed.script.id, file);
      shaped.push({ file, source, hash: hashOf(source), script: parsed.script });
    }
    const fromFiles = new Map(shaped.map((s) => [s.script.id, s.script]));
    const refs = this.references(fromFiles);
    for (const entry of shaped) {
      const checked = parseScript(entry.source, refs);
      if (!checked.ok) {
        report.failed.push({ file: entry.file, errors: checked.errors });
        continue;
      }
      const existing = this.repo.script(entry.script.id);
      if (existing && existing.file_hash === entry.hash && this.repo.published(entry.script.id)) {
        report.unchanged.push(entry.file);
        continue;
      }
      const at = this.stamp();
      this.repo.transaction(() => {
        if (!existing) this.repo.insertScript({ id: entry.script.id, file: entry.file, file_hash: entry.hash, created_at: at, updated_at: at });
        const published = this.repo.published(entry.script.id);
        if (published?.source !== entry.source) {
          const version = this.repo.nextVersion(entry.script.id);
          this.repo.insertVersion(versionRow(entry.script, entry.source, version, 'published', 'file', null, null, at));
          this.repo.publish(entry.script.id, version, at);
        }
        this.repo.setFile(entry.script.id, entry.file, entry.hash, at);
      });
      report.imported.push(entry.file);
    }
    for (const failure of report.failed) {
      const id = this.scriptIdOfFile(failure.file);
      const inForce = id ? this.repo.published(id) : undefined;
      this.deps.logger.warn(
        { file: failure.file, errors: failure.errors.map((e) => formatScriptError(failure.file, e)) },
        inForce ? `agent script ${failure.file} not imported: version ${inForce.version} stays in force` : `agent script ${failure.file} not imported`,
      );
    }
    if (report.imported.length > 0) this.deps.logger.info({ files: report.imported }, 'agent scripts imported');
    return report;
  }

  private scriptIdOfFile(file: string): string | undefined {
    return this.repo.scripts().find((s) => s.file === file)?.id;
  }

  // --- scripts and versions ---

  list(): ScriptSummary[] {
    return this.repo
      .scripts()
      .flatMap((row) => {
        const summary = this.summary(row.id);
        return summary ? [summary] : [];
      })
      .sort((a, b) => a.title.localeCompare(b.title));
  }

  detail(id: string): ScriptDetail {
    const summary = this.summary(id);
    if (!summary) throw notFound('Script', id);
    const published = this.repo.published(id);
    return {
      ...summary,
      script: published ? this.definitionOf(published) : null,
      versions: this.repo.versions(id).map((v) => ({
        version: v.version,
        status: v.status as ScriptVersionStatus,
        origin: v.origin as ScriptVersionOrigin,
        restoredFrom: v.restored_from,
        yaml: v.source,
        createdBy: v.created_by ? (this.deps.displayNameOf(v.created_by) ?? 'a former colleague') : null,
        createdAt: v.created_at,
        publishedAt: v.published_at,
      })),
    };
  }

  /** The YAML checked as a draft of `expectedId` would be (the editor's live markers). */
  validate(source: string, expectedId?: string): ScriptValidation {
    const result = this.check(source, expectedId);
    return result.ok ? { ok: true, errors: [] } : { ok: false, errors: result.errors };
  }

  /** A new script, as a draft (version 1). */
  create(actor: Actor, source: string): ScriptDetail {
    requireEditor(actor);
    const script = this.checked(source);
    if (this.repo.script(script.id)) throw conflict(`A script with the id ${script.id} exists: edit it instead.`);
    const at = this.stamp();
    this.repo.transaction(() => {
      this.repo.insertScript({ id: script.id, file: null, file_hash: null, created_at: at, updated_at: at });
      this.repo.insertVersion(versionRow(script, source, 1, 'draft', 'editor', null, actor.userId, at));
    });
    this.record(actor, 'agent-script.draft', script.id, { version: 1 });
    return this.detail(script.id);
  }

  /** Saves the script's draft (one per script: saving again replaces it). */
  saveDraft(actor: Actor, id: string, source: string): ScriptDetail {
    requireEditor(actor);
    if (!this.repo.script(id)) throw notFound('Script', id);
    const script = this.checked(source, id);
    const at = this.stamp();
    const draft = this.repo.draft(id);
    let version: number;
    this.repo.transaction(() => {
      if (draft) {
        version = draft.version;
        this.repo.updateDraft(id, draft.version, source, JSON.stringify(script), actor.userId, at);
      } else {
        version = this.repo.nextVersion(id);
        this.repo.insertVersion(versionRow(script, source, version, 'draft', 'editor', null, actor.userId, at));
      }
      this.repo.touchScript(id, at);
    });
    this.record(actor, 'agent-script.draft', id, { version: version! });
    return this.detail(id);
  }

  /** The draft becomes the version in force; the previous one is retired. */
  publish(actor: Actor, id: string, version: number): ScriptDetail {
    requireEditor(actor);
    if (!this.repo.script(id)) throw notFound('Script', id);
    const draft = this.repo.draft(id);
    if (!draft) throw conflict(`Script ${id} has no draft to publish.`);
    if (draft.version !== version) throw conflict(`The draft of ${id} is version ${draft.version}, not ${version}: reload it first.`);
    // Checked again: a queue, disposition or sub-script it names may have gone since it was saved.
    this.checked(draft.source, id);
    const at = this.stamp();
    this.repo.transaction(() => {
      this.repo.publish(id, version, at);
      this.repo.touchScript(id, at);
    });
    this.record(actor, 'agent-script.publish', id, { version });
    return this.detail(id);
  }

  /** An earlier version's YAML becomes a new published version (history stays in order). */
  rollback(actor: Actor, id: string, version: number): ScriptDetail {
    requireEditor(actor);
    if (!this.repo.script(id)) throw notFound('Script', id);
    const earlier = this.repo.version(id, version);
    if (!earlier) throw notFound(`Version ${version} of script ${id}`);
    if (earlier.status === 'draft') throw conflict('That version is the draft: publish it instead.');
    if (earlier.status === 'published') throw conflict(`Version ${version} is already the one in force.`);
    const script = this.checked(earlier.source, id);
    const at = this.stamp();
    const next = this.repo.nextVersion(id);
    this.repo.transaction(() => {
      this.repo.insertVersion(versionRow(script, earlier.source, next, 'published', 'rollback', version, actor.userId, at));
      this.repo.publish(id, next, at);
      this.repo.touchScript(id, at);
    });
    this.record(actor, 'agent-script.rollback', id, { version: next, restoredFrom: version });
    return this.detail(id);
  }

  private summary(id: string): ScriptSummary | undefined {
    const row = this.repo.script(id);
    if (!row) return undefined;
    const published = this.repo.published(id);
    const draft = this.repo.draft(id);
    const shown = published ?? draft;
    if (!shown) return undefined;
    const script = this.definitionOf(shown);
    return {
      id,
      title: script.title,
      description: script.description,
      publishedVersion: published?.version ?? null,
      draftVersion: draft?.version ?? null,
      selection: script.selection ?? {},
      steps: script.steps.length,
      file: row.file,
      updatedAt: row.updated_at,
    };
  }

  private check(source: string, expectedId?: string): { ok: true; script: AgentScript } | { ok: false; errors: ScriptError[] } {
    const parsed = parseScript(source, this.references(new Map()));
    if (!parsed.ok) return parsed;
    if (expectedId !== undefined && parsed.script.id !== expectedId) {
      const line = source.split('\n').findIndex((l) => /^id\s*:/.test(l)) + 1;
      return { ok: false, errors: [{ line: Math.max(1, line), column: 1, step: null, message: `id: this is script ${expectedId}; a new id makes a new script (create it instead)` }] };
    }
    return parsed;
  }

  private checked(source: string, expectedId?: string): AgentScript {
    const result = this.check(source, expectedId);
    if (!result.ok) throw new AppError('unprocessable', `The script has ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}: ${result.errors[0]!.message}`, { errors: result.errors });
    return result.script;
  }

  /** Queues, dispositions in force and the published scripts' sub-scripts (with `overrides` in their place). */
  private references(overrides: ReadonlyMap<string, AgentScript>): ScriptReferenceContext {
    const published = new Map(this.repo.allPublished().map((v) => [v.script_id, v]));
    return {
      queues: this.deps.queues().map((q) => q.id),
      dispositions: this.deps.dispositions().map((d) => d.code),
      subScriptsOf: (id) => {
        const script = overrides.get(id) ?? (published.has(id) ? this.definitionOf(published.get(id)!) : undefined);
        return script ? subScriptsIn(script) : undefined;
      },
    };
  }

  private definitionOf(version: VersionRow): AgentScript {
    if (version.status === 'draft') return JSON.parse(version.definition) as AgentScript;
    const key = `${version.script_id}@${version.version}`;
    let script = this.definitions.get(key);
    if (!script) {
      script = JSON.parse(version.definition) as AgentScript;
      this.definitions.set(key, script);
    }
    return script;
  }

  private publishedScript(id: string): AgentScript | undefined {
    const version = this.repo.published(id);
    return version ? this.definitionOf(version) : undefined;
  }

  // --- runs ---

  /** The conversation's run: the one chosen (by rules or by hand), started now if none is. */
  runFor(actor: Actor, conversationId: string, meta: RequestMeta): ScriptRunResponse {
    const conversation = this.requireStaffIn(actor, conversationId);
    let run = this.repo.run(conversationId);
    if (!run || (isUntouched(run) && this.staleUntouched(run, conversation))) {
      const fresh = this.startAuto(conversation, run);
      if (fresh) run = fresh;
    }
    return { run: run ? this.present(run, conversation, actor, meta) : null, available: this.available() };
  }

  /** The agent switches to another script by hand: a new run, answers start over. */
  choose(actor: Actor, conversationId: string, scriptId: string, meta: RequestMeta): ScriptRunResponse {
    const conversation = this.requireStaffIn(actor, conversationId);
    requireOpen(conversation);
    const published = this.repo.published(scriptId);
    if (!published) throw notFoundMessage(`No published script ${scriptId}.`);
    const at = this.stamp();
    const run: RunRow = {
      conversation_id: conversationId,
      script_id: scriptId,
      version: published.version,
      chosen_by: 'agent',
      chosen_by_user: actor.userId,
      reason: `Chosen by ${this.deps.displayNameOf(actor.userId) ?? 'a colleague'}.`,
      answers: '{}',
      completed: '{}',
      created_at: this.repo.run(conversationId)?.created_at ?? at,
      updated_at: at,
    };
    this.repo.saveRun(run);
    return { run: this.present(run, conversation, actor, meta), available: this.available() };
  }

  /**
   * A clinical red flag in the patient's words (smart assist): `scriptId` replaces a run nobody has
   * touched or chose by hand, and stays (rules do not swap it back). A run the agent chose or began is
   * left as it is. True when the script is the conversation's run now.
   */
  loadForAlert(conversationId: string, scriptId: string, reason: string): boolean {
    const published = this.repo.published(scriptId);
    if (!published) return false;
    const previous = this.repo.run(conversationId);
    if (previous?.script_id === scriptId) return true;
    if (previous && (previous.chosen_by === 'agent' || !isUntouched(previous))) return false;
    const at = this.stamp();
    this.repo.saveRun({
      conversation_id: conversationId,
      script_id: scriptId,
      version: published.version,
      chosen_by: 'alert',
      chosen_by_user: null,
      reason,
      answers: '{}',
      completed: '{}',
      created_at: previous?.created_at ?? at,
      updated_at: at,
    });
    return true;
  }

  /** A step done or a question answered, checked against the step; the run continues along the branch. */
  recordStep(actor: Actor, conversationId: string, stepId: string, answer: string | undefined, meta: RequestMeta): RecordStepResult {
    const conversation = this.requireStaffIn(actor, conversationId);
    if (conversation.state === 'closed' && conversation.wrapup) throw conflict('The conversation is closed: its script can no longer change.');
    const run = this.repo.run(conversationId);
    if (!run) throw notFoundMessage('No script is running in this conversation: open it first.');
    const plan = this.planOf(run);
    const step = plan.steps.find((s) => s.id === stepId);
    if (!step) throw notFoundMessage(`Step ${stepId} is not in the script “${this.titleOf(run)}”.`);
    const answers = JSON.parse(run.answers) as Record<string, StoredAnswer>;
    const completed = JSON.parse(run.completed) as Completed;
    if (!progressOf(plan, answers, new Set(Object.keys(completed))).path.includes(stepId)) {
      throw conflict(`Step ${stepId} is off the path the answers so far lead along.`);
    }
    const check = checkAnswer(step, answer);
    if (!check.ok) throw new AppError('unprocessable', check.message);
    const at = this.stamp();
    if (step.body.type === 'question') answers[stepId] = { value: check.value, by: actor.userId, at };
    else completed[stepId] = { by: actor.userId, at };
    if (!this.repo.saveProgress(conversationId, run.version, JSON.stringify(answers), JSON.stringify(completed), at)) {
      throw conflict('The script was switched meanwhile: reload it.');
    }
    const saved = this.repo.run(conversationId)!;
    const view = this.present(saved, conversation, actor, meta);
    return { run: view, next: view.steps.find((s) => s.id === view.currentStepId) ?? null };
  }

  /**
   * The conversations core's close guard: refuses (409 `script_incomplete`) to wrap up or close while
   * the conversation's run has required steps left on its path.
   */
  assertMayClose(conversationId: string): void {
    const run = this.repo.run(conversationId);
    if (!run) return;
    const plan = this.planOf(run);
    const answers = JSON.parse(run.answers) as Record<string, StoredAnswer>;
    const completed = new Set(Object.keys(JSON.parse(run.completed) as Completed));
    const left = progressOf(plan, answers, completed).requiredLeft;
    if (left.length === 0) return;
    const names = left.map((id) => stepName(plan.steps.find((s) => s.id === id)!, this.names()));
    throw new AppError('script_incomplete', `Finish the required script steps first: ${names.join('; ')}.`, { scriptId: run.script_id, requiredLeft: left });
  }

  private available(): { id: string; title: string }[] {
    return this.repo
      .allPublished()
      .map((v) => ({ id: v.script_id, title: this.definitionOf(v).title }))
      .sort((a, b) => a.title.localeCompare(b.title));
  }

  /** An auto-chosen run nothing was done in follows the rules again (the chat moved queue) and newer versions. */
  private staleUntouched(run: RunRow, conversation: ConversationView): boolean {
    const published = this.repo.published(run.script_id);
    if (run.chosen_by === 'agent' || run.chosen_by === 'alert') return published !== undefined && published.version !== run.version;
    const pick = this.pick(conversation);
    return pick?.id !== run.script_id || (published !== undefined && published.version !== run.version);
  }

  private startAuto(conversation: ConversationView, previous: RunRow | undefined): RunRow | undefined {
    const at = this.stamp();
    const manual = previous?.chosen_by === 'agent' || previous?.chosen_by === 'alert' ? previous : undefined;
    const pick = manual ? { id: manual.script_id, reason: manual.reason } : this.pick(conversation);
    if (!pick) return undefined;
    const published = this.repo.published(pick.id);
    if (!published) return undefined;
    const run: RunRow = {
      conversation_id: conversation.id,
      script_id: pick.id,
      version: published.version,
      chosen_by: manual ? manual.chosen_by : 'auto',
      chosen_by_user: manual?.chosen_by_user ?? null,
      reason: pick.reason,
      answers: '{}',
      completed: '{}',
      created_at: previous?.created_at ?? at,
      updated_at: at,
    };
    this.repo.saveRun(run);
    return run;
  }

  private pick(conversation: ConversationView) {
    const candidates = this.repo.allPublished().map((v) => {
      const script = this.definitionOf(v);
      return { id: script.id, title: script.title, selection: script.selection ?? {} };
    });
    return pickScript(candidates, factsOf(conversation));
  }

  private planOf(run: RunRow): Plan {
    const version = this.repo.version(run.script_id, run.version);
    if (!version) throw notFoundMessage(`Version ${run.version} of script ${run.script_id} is gone.`);
    return buildPlan(this.definitionOf(version), (id) => this.publishedScript(id));
  }

  private titleOf(run: RunRow): string {
    const version = this.repo.version(run.script_id, run.version);
    return version ? this.definitionOf(version).title : run.script_id;
  }

  private names() {
    const queues = this.deps.queues();
    const dispositions = this.deps.dispositions();
    return {
      queue: (id: string) => queues.find((q) => q.id === id)?.name ?? id,
      disposition: (code: string) => dispositions.find((d) => d.code === code)?.label ?? code,
    };
  }

  private present(run: RunRow, conversation: ConversationView, actor: Actor, meta: RequestMeta): ScriptRunView {
    const version = this.repo.version(run.script_id, run.version)!;
    const script = this.definitionOf(version);
    const plan = this.planOf(run);
    const answers = JSON.parse(run.answers) as Record<string, StoredAnswer>;
    const completed = JSON.parse(run.completed) as Completed;
    const progress = progressOf(plan, answers, new Set(Object.keys(completed)));
    const onPath = new Set(progress.path);
    const fields = this.fieldsFor(plan, conversation, actor, meta);
    const labelOf = (step: PlanStep | undefined, value: string) => step?.choices?.find((c) => c.value === value)?.label ?? value;
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    const answerLabel = (planId: string) => (answers[planId] ? labelOf(byId.get(planId), answers[planId].value) : null);
    const names = this.names();
    const published = this.repo.published(run.script_id);
    // The path first, in its order; the steps of branches not taken after it, in the script's order.
    const ordered = [...progress.path.map((id) => byId.get(id)!), ...plan.steps.filter((s) => !onPath.has(s.id))];
    return {
      conversationId: conversation.id,
      script: { id: script.id, title: script.title, description: script.description, version: run.version },
      chosenBy: run.chosen_by === 'agent' ? 'agent' : 'auto',
      reason: run.reason,
      steps: ordered.map((step) => {
        const stored = answers[step.id];
        return presentStep(step, {
          onPath: onPath.has(step.id),
          done: isDone(step, answers, new Set(Object.keys(completed))),
          answer: stored ? { ...stored, label: labelOf(step, stored.value), byName: stored.by ? (this.deps.displayNameOf(stored.by) ?? null) : null } : null,
          fields,
          answerLabel,
          names,
        });
      }),
      currentStepId: progress.current,
      progress: { done: progress.done, total: progress.total, requiredLeft: progress.requiredLeft },
      newerVersion: published && published.version > run.version ? published.version : null,
      updatedAt: run.updated_at,
    };
  }

  /**
   * The template fields. A verified patient's first name and age come from their record, read for
   * the script and audited as a PHI read; a visitor's first name is the name they gave the chat.
   */
  private fieldsFor(plan: Plan, conversation: ConversationView, actor: Actor, meta: RequestMeta): FieldValues {
    const fields: FieldValues = {
      'agent.name': this.deps.displayNameOf(actor.userId) ?? null,
      'clinic.name': this.deps.clinicName,
      'patient.firstName': null,
      'patient.age': null,
    };
    const usesPatient = plan.steps.some((s) => {
      const texts = [s.body.type === 'macro' ? (s.body.text ?? '') : s.body.text, s.body.type === 'macro' && s.body.action === 'add-note' ? s.body.note : ''];
      return texts.some((t) => /\{\{\s*patient\./.test(t));
    });
    if (!usesPatient) return fields;
    const patientId = this.deps.verifiedPatientOf(conversation.id);
    if (patientId) {
      const patient = this.deps.readPatient(patientId);
      this.deps.audit.record({
        actorId: actor.userId,
        actorRole: actor.kind === 'staff' ? actor.role : actor.kind,
        action: 'phi.read',
        resourceType: 'Patient',
        resourceId: patientId,
        patientId,
        reason: 'agent script',
        ip: meta.ip,
        requestId: meta.requestId,
        details: { conversationId: conversation.id, purpose: 'agent script', fields: ['name.given', 'birthDate'] },
      });
      if (patient) {
        fields['patient.firstName'] = patient.name?.[0]?.given?.[0] ?? null;
        fields['patient.age'] = patient.birthDate ? String(ageOn(patient.birthDate, this.now())) : null;
      }
    } else if (conversation.visitorName) {
      fields['patient.firstName'] = conversation.visitorName.trim().split(/\s+/)[0] ?? null;
    }
    return fields;
  }

  private requireStaffIn(actor: Actor, conversationId: string): ConversationView {
    const conversation = this.deps.conversations.view(conversationId);
    if (!conversation) throw notFound('Conversation', conversationId);
    if (actor.kind !== 'staff' || !this.deps.conversations.isStaffIn(conversationId, actor.userId)) {
      throw forbidden('Only staff in this conversation can follow its script.');
    }
    return conversation;
  }

  private record(actor: Actor, action: string, scriptId: string, details: Record<string, unknown>): void {
    this.deps.audit.record({ actorId: actor.userId, actorRole: actor.kind === 'staff' ? actor.role : actor.kind, action, resourceType: 'AgentScript', resourceId: scriptId, details });
  }

  private stamp(): string {
    return this.now().toISOString();
  }
}

function requireEditor(actor: Actor): void {
  if (actor.kind !== 'staff' || !EDITORS.has(actor.role)) throw forbidden('Only supervisors and admins edit agent scripts.');
}

function requireOpen(conversation: ConversationView): void {
  if (conversation.state === 'closed') throw conflict('The conversation is closed: its script can no longer change.');
}

function isUntouched(run: RunRow): boolean {
  return run.answers === '{}' && run.completed === '{}';
}

function hashOf(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

function versionRow(script: AgentScript, source: string, version: number, status: ScriptVersionStatus, origin: ScriptVersionOrigin, restoredFrom: number | null, by: string | null, at: string): VersionRow {
  return {
    script_id: script.id,
    version,
    status,
    origin,
    restored_from: restoredFrom,
    source,
    definition: JSON.stringify(script),
    created_by: by,
    created_at: at,
    published_at: status === 'published' ? at : null,
  };
}

/** Queue, hand-off intent, topics (the bot's, the pre-chat reason) and specialty, and the patient's words. */
export function factsOf(conversation: ConversationView): ConversationFacts {
  const packet = conversation.handoff ?? null;
  const collected = packet?.collectedAnswers ?? {};
  const topics = new Set<string>();
  const specialties = new Set<string>();
  // Why the bot handed off (`red-flag`) and its triage outcome are topics too.
  if (packet?.reason) topics.add(slugOf(packet.reason));
  if (packet?.triageDisposition) topics.add(slugOf(packet.triageDisposition));
  for (const [key, value] of Object.entries(collected)) {
    if (/topic/i.test(key)) for (const t of value.split(',')) if (t.trim()) topics.add(slugOf(t));
    if (/reason for contacting/i.test(key)) topics.add(slugOf(value));
    if (/specialt/i.test(key)) specialties.add(slugOf(value));
  }
  return {
    queue: conversation.queue,
    intent: packet?.intent ?? null,
    topics: [...topics],
    specialties: [...specialties],
    words: normalizeWords([...Object.values(collected), packet?.summary ?? ''].join(' ')),
  };
}

function ageOn(birthDate: string, now: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < (d || 1))) age--;
  return age;
}

/** A step as the close refusal names it: the macro's button or the start of its text. */
function stepName(step: PlanStep, names: { queue(id: string): string; disposition(code: string): string }): string {
  const view = presentStep(step, { onPath: true, done: false, answer: null, fields: {}, answerLabel: () => null, names });
  if (view.type === 'macro' && view.actionLabel) return view.actionLabel;
  const text = view.text.replace(/\s+/g, ' ').trim();
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
