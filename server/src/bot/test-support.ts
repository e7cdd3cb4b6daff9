/**
 * Test support for the bot: the CDC fixtures (`../shared/fixtures/azure-health-bot/cdc-covid19`
 * beside the repository; `CDC_FIXTURES` overrides) and an engine over a library built from exports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../platform/logging.js';
import { ScenarioEngine, emptyState, type EngineDeps, type SessionState, type TurnEnv, type TurnOutcome } from './engine.js';
import { ScenarioLibrary, compileScenario } from './library.js';
import { ScriptSandbox } from './sandbox.js';
import { checkScenarioCode, parseCodeText } from './scenario-format.js';
import { StringCatalog } from './strings.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CDC_DIR = process.env.CDC_FIXTURES ?? path.resolve(REPO_ROOT, '../shared/fixtures/azure-health-bot/cdc-covid19');
export const CDC_WRAPPER = path.join(CDC_DIR, 'covid_19_cdc_wrapper.json');
export const CDC_CORE = path.join(CDC_DIR, 'covid_19_core_vaccinated_protocol.json');
export const CDC_STRINGS = path.join(CDC_DIR, 'strings_en.json');
export const SHIPPED_SCENARIOS = path.join(REPO_ROOT, 'health-bot/scenarios');

export const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

/** Builds a library from exports (code as a string, or an object as the shipped files keep it). */
export function libraryOf(exports: readonly { name: string; id?: string | undefined; scenario_trigger: string; code: unknown }[]): ScenarioLibrary {
  const library = new ScenarioLibrary();
  for (const e of exports) {
    const raw = typeof e.code === 'string' ? parseCodeText(e.code).value : e.code;
    const checked = checkScenarioCode(raw, { scenarioExists: () => true, loopsAreErrors: false });
    if (!checked.code) throw new Error(`${e.scenario_trigger}: ${JSON.stringify(checked.errors)}`);
    library.setPublished(compileScenario({ id: e.id ?? e.scenario_trigger, trigger: e.scenario_trigger, name: e.name, version: 1 }, checked.code));
  }
  return library;
}

export interface EngineHarness {
  engine: ScenarioEngine;
  state: SessionState;
  env: TurnEnv;
  /** All bot text of the conversation so far. */
  transcript: string[];
  begin(trigger: string, args?: unknown): Promise<TurnOutcome>;
  say(text: string, value?: unknown): Promise<TurnOutcome>;
}

export async function engineHarness(library: ScenarioLibrary, strings: StringCatalog = new StringCatalog(), extra: Partial<EngineDeps> = {}): Promise<EngineHarness> {
  const engine = new ScenarioEngine({ library, sandbox: await ScriptSandbox.create(), strings, logger: createLogger('silent'), ...extra });
  const harness: EngineHarness = {
    engine,
    state: emptyState(),
    env: {
      conversationId: 'conversation-1',
      session: {},
      user: {},
      global: {},
      handoffDefaults: () => ({ intent: 'general', language: 'en', collectedAnswers: {}, summary: (intent) => `summary ${intent}` }),
    },
    transcript: [],
    begin: async (trigger, args) => record(await engine.begin(harness.state, trigger, harness.env, args)),
    say: async (text, value) => {
      // Every turn starts from the checkpoint as the database holds it.
      harness.state = JSON.parse(JSON.stringify(harness.state)) as SessionState;
      return record(await engine.answer(harness.state, { text, ...(value !== undefined ? { value } : {}) }, harness.env));
    },
  };
  const record = (outcome: TurnOutcome) => {
    harness.transcript.push(...outcome.replies.map((r) => r.body));
    return outcome;
  };
  return harness;
}
