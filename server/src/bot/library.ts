/**
 * Scenarios ready to run: checked `code` indexed by step id, by trigger and version. The service
 * fills it from the database (published versions at start and on publish; older versions on
 * demand, because a conversation finishes a scenario on the version it began with). The engine
 * reads it synchronously.
 */
import type { ScenarioCode, ScenarioStep } from '../contracts/bot.js';

export interface CompiledScenario {
  id: string;
  trigger: string;
  name: string;
  version: number;
  code: ScenarioCode;
  steps: ReadonlyMap<string, ScenarioStep>;
  first: string;
  breaking: boolean;
  interrupting: boolean;
  returningMessage: string | null;
}

export function compileScenario(meta: { id: string; trigger: string; name: string; version: number }, code: ScenarioCode): CompiledScenario {
  return {
    ...meta,
    code,
    steps: new Map(code.steps.map((s) => [s.id, s])),
    first: code.steps[0]!.id,
    breaking: code.breaking === true,
    interrupting: code.interrupting === true,
    returningMessage: code.returningMessage?.trim() ? code.returningMessage : null,
  };
}

export class ScenarioLibrary {
  private readonly published = new Map<string, CompiledScenario>();
  private readonly versions = new Map<string, CompiledScenario>();

  /** The version in force for a trigger (new conversations and beginScenario use it). */
  current(trigger: string): CompiledScenario | undefined {
    return this.published.get(trigger);
  }

  /** A given version (a frame keeps the version it began with). */
  version(trigger: string, version: number): CompiledScenario | undefined {
    return this.versions.get(`${trigger}@${version}`) ?? (this.published.get(trigger)?.version === version ? this.published.get(trigger) : undefined);
  }

  has(trigger: string): boolean {
    return this.published.has(trigger);
  }

  triggers(): string[] {
    return [...this.published.keys()];
  }

  all(): CompiledScenario[] {
    return [...this.published.values()];
  }

  setPublished(scenario: CompiledScenario): void {
    this.published.set(scenario.trigger, scenario);
    this.remember(scenario);
  }

  /** Keeps a version runnable (drafts under test, versions conversations are still in). */
  remember(scenario: CompiledScenario): void {
    if (this.versions.size > 500) this.versions.clear();
    this.versions.set(`${scenario.trigger}@${scenario.version}`, scenario);
  }

  unpublish(trigger: string): void {
    this.published.delete(trigger);
  }
}
