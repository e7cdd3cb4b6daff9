/**
 * Clinic settings the desk's admin workspace edits: routing (queues, skills, business hours,
 * holidays, overflow, timeouts), conversations (dispositions, quick replies, session limit) and the
 * follow-up survey. Until an admin saves a section, the file named by its environment variable (or
 * the built-in default) is in force at version 0; from the first save on, the database row is, across
 * restarts. A save is validated whole by the section's contract schema, refused when someone else
 * saved first (409), recorded in the audit log, and applied to the running service at once — if the
 * service refuses it (routing will not drop a queue that has conversations) nothing is stored.
 */
import type SQLite from 'better-sqlite3';
import type { z } from 'zod';
import {
  clinicSettingSchemas,
  clinicSettingUpdateSchema,
  CLINIC_SETTING_SECTIONS,
  type ClinicSettingSection,
  type ClinicSettingsResponse,
  type ClinicSettingValue,
  type ClinicSettingView,
} from '../contracts/clinic-settings.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { EventPublisher } from '../platform/events.js';
import { inTransaction } from '../platform/db/index.js';
import { conflict, forbidden } from '../platform/errors.js';
import type { Logger } from '../platform/logging.js';
import { parseInput } from '../platform/http/validation.js';
import { ClinicSettingsStore, type StoredSetting } from './store.js';

export type ClinicSettingValues = { [S in ClinicSettingSection]: ClinicSettingValue<S> };
/** Puts a saved value in force; throws an AppError (nothing is stored) when the service refuses it. */
export type ClinicSettingAppliers = { [S in ClinicSettingSection]: (value: ClinicSettingValue<S>) => void };

/** Who is saving: staff only reach the service (the route admits admins and supervisors). */
export interface SettingsEditor {
  userId: string;
  role: string;
}

export interface ClinicSettingsDeps {
  sqlite: SQLite.Database;
  audit: AuditLog;
  logger: Logger;
  /** What is in force before any save: the environment's files or the built-in defaults. */
  defaults: ClinicSettingValues;
  displayNameOf(userId: string): string | undefined;
  /** `clinic-settings.changed` after each save (the module tells the desks). */
  events?: EventPublisher;
  now?: () => Date;
}

/** What a supervisor may change: only the conversations section's quick replies. */
const SUPERVISOR_SECTIONS: readonly ClinicSettingSection[] = ['conversations'];

export class ClinicSettings {
  private readonly store: ClinicSettingsStore;
  private readonly now: () => Date;
  private readonly inForce: Map<ClinicSettingSection, { value: unknown; stored: StoredSetting | undefined }> = new Map();
  private appliers: ClinicSettingAppliers | undefined;

  constructor(private readonly deps: ClinicSettingsDeps) {
    this.store = new ClinicSettingsStore(deps.sqlite);
    this.now = deps.now ?? (() => new Date());
    for (const section of CLINIC_SETTING_SECTIONS) this.inForce.set(section, this.load(section));
  }

  /** The value in force for a section (the composition root builds the modules with these). */
  value<S extends ClinicSettingSection>(section: S): ClinicSettingValue<S> {
    return this.inForce.get(section)!.value as ClinicSettingValue<S>;
  }

  /** Connects the running services, once they are built. */
  applyWith(appliers: ClinicSettingAppliers): void {
    this.appliers = appliers;
  }

  /** Every section an admin may see; a supervisor sees only `conversations`. */
  list(editor: SettingsEditor): ClinicSettingsResponse {
    const sections = editor.role === 'admin' ? CLINIC_SETTING_SECTIONS : SUPERVISOR_SECTIONS;
    const out: Record<string, ClinicSettingView> = {};
    for (const section of sections) out[section] = this.view(section);
    return out as ClinicSettingsResponse;
  }

  view<S extends ClinicSettingSection>(section: S): ClinicSettingView<S> {
    const { value, stored } = this.inForce.get(section)!;
    return {
      section,
      value: value as ClinicSettingValue<S>,
      version: stored?.version ?? 0,
      updatedAt: stored?.updatedAt ?? new Date(0).toISOString(),
      updatedBy: stored?.updatedBy ? (this.deps.displayNameOf(stored.updatedBy) ?? 'a former user') : null,
    };
  }

  /**
   * Saves a section: 400 with every issue when the body or the value is invalid, 403 for what the
   * editor may not change, 409 when the version read is no longer current or the running service
   * refuses the value.
   */
  update(editor: SettingsEditor, section: ClinicSettingSection, body: unknown): ClinicSettingView {
    const { version, value: raw } = parseInput(clinicSettingUpdateSchema, body);
    const schema: z.ZodType = clinicSettingSchemas[section];
    const value = parseInput(schema, raw, 'value') as unknown;
    const current = this.inForce.get(section)!;
    if (editor.role !== 'admin') this.checkSupervisorChange(editor, section, current.value, value);
    const at = this.now().toISOString();
    const stored = inTransaction(this.deps.sqlite, () => {
      const saved = this.store.compareAndSet(section, version, JSON.stringify(value), at, editor.userId);
      if (saved === undefined) {
        throw conflict('These settings were changed by someone else since you opened them: reload to see their version, then make your change again.', {
          section,
          version: current.stored?.version ?? 0,
        });
      }
      this.deps.audit.record({
        actorId: editor.userId,
        actorRole: editor.role,
        action: 'settings.update',
        resourceType: 'ClinicSetting',
        resourceId: section,
        details: { version: saved.version, changed: changedKeys(current.value, value) },
      });
      // Last, so a refusal rolls the row and its audit entry back.
      this.apply(section, value);
      return saved;
    });
    this.inForce.set(section, { value, stored });
    this.deps.events?.publish('clinic-settings.changed', { section, version: stored.version });
    return this.view(section);
  }

  private apply(section: ClinicSettingSection, value: unknown): void {
    if (!this.appliers) return;
    const applier = this.appliers[section] as (v: unknown) => void;
    applier(value);
  }

  private checkSupervisorChange(editor: SettingsEditor, section: ClinicSettingSection, before: unknown, after: unknown): void {
    if (editor.role !== 'supervisor' || !SUPERVISOR_SECTIONS.includes(section)) {
      throw forbidden('Only an admin can change these settings.');
    }
    const others = changedKeys(before, after).filter((key) => key !== 'quickReplies');
    if (others.length > 0) throw forbidden(`Supervisors can change quick replies only; ask an admin to change ${others.join(', ')}.`);
  }

  /** The stored value, or the default when nothing was saved or the stored one no longer validates. */
  private load(section: ClinicSettingSection): { value: unknown; stored: StoredSetting | undefined } {
    const stored = this.store.get(section);
    if (stored === undefined) return { value: this.deps.defaults[section], stored };
    let parsed: unknown;
    try {
      parsed = JSON.parse(stored.value);
    } catch {
      parsed = undefined;
    }
    const result = (clinicSettingSchemas[section] as z.ZodType).safeParse(parsed);
    if (result.success) return { value: result.data, stored };
    this.deps.logger.error(
      { section, version: stored.version, issues: result.success ? [] : result.error.issues.slice(0, 5) },
      'stored clinic settings no longer validate: the default is in force until an admin saves this section again',
    );
    return { value: this.deps.defaults[section], stored };
  }
}

/** Top-level keys whose JSON differs (for the audit entry and the supervisor rule). */
function changedKeys(before: unknown, after: unknown): string[] {
  const a = (before ?? {}) as Record<string, unknown>;
  const b = (after ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key])).sort();
}
