/**
 * The language models' logic: the built-in models (from files, trained once per process), the
 * custom models bot authors save (RegEx, or trained from utterances with a held-out evaluation),
 * kept in the database and trained again at start, and recognition over all of them.
 */
import fs from 'node:fs';
import {
  BOT_LOCALES,
  type BuiltInModelFile,
  type CustomModelDefinition,
  type LanguageModelDetail,
  type LanguageModelSummary,
  type ModelEvaluation,
  type Recognition,
  type SaveLanguageModelRequest,
} from '../../contracts/language.js';
import { conflict, unprocessable } from '../../platform/errors.js';
import { readBuiltInModels } from './builtin.js';
import { CompiledModel, recognizeWith, type ModelSource } from './engine.js';
import type { EntityRecognizers } from './entities.js';
import { evaluate, splitHeldOut, type LabelledUtterance } from './evaluation.js';
import { compilePattern, type PatternProblem } from './regex.js';
import type { LanguageModelStore, StoredModelVersion } from './store.js';
import { tokenize, type Language } from './text.js';
import { MedicalVocabulary } from './vocabulary.js';

export const DEFAULT_THRESHOLD = 0.4;
/** The built-in intent a text naming a symptom goes to when nothing else is sure (medical-complaint.json). */
const SYMPTOM_FALLBACK_INTENT = 'triage';

export interface LanguageFiles {
  modelsDir: string | null;
  conditionsFile: string | null;
  symptomsFile: string | null;
}

interface BuiltIn {
  files: BuiltInModelFile[];
  vocabulary: MedicalVocabulary;
  model: CompiledModel | null;
}

/** Same files, same trained model: servers in one process (tests, benchmarks) train once. */
const builtInCache = new Map<string, Promise<BuiltIn>>();

function stamp(file: string | null): string {
  if (!file || !fs.existsSync(file)) return `${file}:none`;
  const stat = fs.statSync(file);
  return `${file}:${stat.mtimeMs}:${stat.size}`;
}

export function loadBuiltIn(files: LanguageFiles): Promise<BuiltIn> {
  const modelFiles = files.modelsDir ? readBuiltInModels(files.modelsDir) : [];
  const key = [stamp(files.conditionsFile), stamp(files.symptomsFile), files.modelsDir ?? 'none', JSON.stringify(modelFiles).length, ...(files.modelsDir ? fs.readdirSync(files.modelsDir).map((f) => stamp(`${files.modelsDir}/${f}`)) : [])].join('|');
  let cached = builtInCache.get(key);
  if (!cached) {
    cached = (async () => {
      const vocabulary = MedicalVocabulary.fromFiles(files, commonWordsOf(modelFiles.flatMap((m) => m.intents)));
      const source: ModelSource = { id: 'builtin', intents: modelFiles.flatMap((m) => m.intents) };
      const model = source.intents.length > 0 ? await CompiledModel.build(source, vocabulary) : null;
      return { files: modelFiles, vocabulary, model };
    })();
    builtInCache.set(key, cached);
    cached.catch(() => builtInCache.delete(key));
  }
  return cached;
}

/** The everyday words of the models' utterances, which misspelling tolerance leaves alone. */
export function commonWordsOf(intents: ReadonlyArray<{ utterances?: Partial<Record<'en-US' | 'es-US', readonly string[]>> | undefined }>): Record<Language, Set<string>> {
  const words: Record<Language, Set<string>> = { en: new Set(), es: new Set() };
  for (const i of intents) {
    for (const u of i.utterances?.['en-US'] ?? []) for (const t of tokenize(u)) words.en.add(t.word);
    for (const u of i.utterances?.['es-US'] ?? []) for (const t of tokenize(u)) words.es.add(t.word);
  }
  return words;
}

function labelled(definition: Extract<CustomModelDefinition, { kind: 'nlp' }>): LabelledUtterance[] {
  return definition.intents.flatMap((i) => BOT_LOCALES.flatMap((locale) => (i.utterances[locale] ?? []).map((utterance) => ({ utterance, locale, intent: i.intent }))));
}

function sourceOf(id: string, intents: ReadonlyArray<{ intent: string; scenario?: string | undefined }>, utterances: readonly LabelledUtterance[]): ModelSource {
  return {
    id,
    intents: intents.map((i) => ({
      intent: i.intent,
      scenario: i.scenario,
      utterances: Object.fromEntries(BOT_LOCALES.map((locale) => [locale, utterances.filter((u) => u.intent === i.intent && u.locale === locale).map((u) => u.utterance)])),
    })),
  };
}

/** Every pattern that RE2 refuses, named by its place in the request body. */
export function patternProblems(definition: CustomModelDefinition): PatternProblem[] {
  if (definition.kind !== 'regex') return [];
  const problems: PatternProblem[] = [];
  definition.intents.forEach((intent, i) => {
    intent.patterns.forEach((pattern, j) => {
      const compiled = compilePattern(pattern);
      if ('error' in compiled) problems.push({ path: `model.intents.${i}.patterns.${j}`, pattern, message: compiled.error });
    });
  });
  return problems;
}

interface LiveCustom {
  stored: StoredModelVersion;
  compiled: CompiledModel;
}

export interface LanguageServiceDeps {
  files: LanguageFiles;
  store: LanguageModelStore | null;
  threshold: number;
  now: () => Date;
  entities: EntityRecognizers | null;
  onLoadError?: (id: string, err: unknown) => void;
}

export class LanguageModelsService {
  private builtIn: BuiltIn | null = null;
  private readonly custom = new Map<string, LiveCustom>();
  private readyPromise: Promise<void> | null = null;
  /** Saves train one at a time, in order. */
  private saving: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: LanguageServiceDeps) {}

  get threshold(): number {
    return this.deps.threshold;
  }

  /** Trains the built-in models and every stored custom model (once; later calls wait for the same). */
  ready(): Promise<void> {
    this.readyPromise ??= (async () => {
      this.builtIn = await loadBuiltIn(this.deps.files);
      for (const stored of this.deps.store?.current() ?? []) {
        try {
          this.custom.set(stored.id, { stored, compiled: await this.compile(stored.id, stored.definition) });
        } catch (err) {
          this.deps.onLoadError?.(stored.id, err);
        }
      }
    })();
    return this.readyPromise;
  }

  private async compile(id: string, definition: CustomModelDefinition): Promise<CompiledModel> {
    if (definition.kind === 'regex') return CompiledModel.regex(id, definition.intents);
    return CompiledModel.build(sourceOf(id, definition.intents, labelled(definition)), this.builtIn!.vocabulary);
  }

  async recognize(text: string, locale: string, options: { entities?: boolean } = {}): Promise<Recognition> {
    await this.ready();
    const models = [
      ...(this.builtIn!.model ? [this.builtIn!.model] : []),
      ...[...this.custom.values()].filter((c) => c.stored.definition.enabled).map((c) => c.compiled),
    ];
    const builtIn = this.builtIn!.model;
    const symptomFallback = builtIn?.scenarioOf(SYMPTOM_FALLBACK_INTENT) !== undefined ? { intent: SYMPTOM_FALLBACK_INTENT, model: builtIn! } : undefined;
    return recognizeWith({ models, symptomFallback, vocabulary: this.builtIn!.vocabulary, entities: this.deps.entities, threshold: this.deps.threshold, now: this.deps.now() }, text, locale, options);
  }

  async list(): Promise<LanguageModelSummary[]> {
    await this.ready();
    return [...this.builtIn!.files.map(builtInSummary), ...[...this.custom.values()].map((c) => customSummary(c.stored))];
  }

  async get(id: string): Promise<LanguageModelDetail | null> {
    await this.ready();
    const file = this.builtIn!.files.find((f) => f.id === id);
    if (file) return { ...builtInSummary(file), definition: file, versions: [] };
    const live = this.custom.get(id);
    if (!live) return null;
    return { ...customSummary(live.stored), definition: live.stored.definition, versions: this.deps.store?.versions(id) ?? [] };
  }

  /**
   * Validates (patterns compile), trains and evaluates on a held-out split, stores the next version
   * and makes it live. Throws 409 for a built-in id or a stale `baseVersion`, 422 for bad patterns.
   */
  save(id: string, request: SaveLanguageModelRequest, by: string | null): Promise<{ detail: LanguageModelDetail; created: boolean }> {
    const run = this.saving.then(() => this.saveNow(id, request, by));
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async saveNow(id: string, request: SaveLanguageModelRequest, by: string | null): Promise<{ detail: LanguageModelDetail; created: boolean }> {
    await this.ready();
    const store = this.deps.store;
    if (!store) throw conflict('Custom language models are not stored on this server.');
    if (this.builtIn!.files.some((f) => f.id === id)) throw conflict(`${id} is a built-in model: it changes with health-bot/language-models/${id}.json. Save a custom model under another id.`);
    const current = store.currentVersion(id);
    if (request.baseVersion !== undefined && request.baseVersion !== current) {
      throw conflict(`Language model ${id} is at version ${current}, not ${request.baseVersion}: someone saved it since. Reload and save again.`, { currentVersion: current });
    }
    const definition = request.model;
    const problems = patternProblems(definition);
    if (problems.length > 0) {
      throw unprocessable(`${problems.length === 1 ? 'A pattern is' : `${problems.length} patterns are`} not valid RE2: ${problems.map((p) => `${p.pattern} (${p.message})`).join('; ').slice(0, 500)}`, { patterns: problems });
    }
    let evaluation: ModelEvaluation | null = null;
    if (definition.kind === 'nlp') {
      const all = labelled(definition);
      const { train, heldOut } = splitHeldOut(all);
      if (heldOut.length > 0) {
        const trial = await CompiledModel.build(sourceOf(id, definition.intents, train), this.builtIn!.vocabulary);
        const vocabulary = this.builtIn!.vocabulary;
        evaluation = await evaluate(heldOut, train.length, (u) => recognizeWith({ models: [trial], vocabulary, entities: null, threshold: this.deps.threshold, now: this.deps.now() }, u.utterance, u.locale));
      } else {
        evaluation = { trained: train.length, heldOut: 0, accuracy: null, perIntent: [], misses: [] };
      }
    }
    const compiled = await this.compile(id, definition);
    const stored = store.save(id, definition, evaluation, by, this.deps.now().toISOString());
    this.custom.set(id, { stored, compiled });
    return { detail: { ...customSummary(stored), definition, versions: store.versions(id) }, created: stored.version === 1 };
  }
}

function builtInSummary(file: BuiltInModelFile): LanguageModelSummary {
  return {
    id: file.id,
    name: file.name,
    kind: 'builtin',
    description: file.description,
    enabled: true,
    version: 0,
    intents: file.intents.map((i) => ({ intent: i.intent, scenario: i.scenario ?? null })),
    updatedAt: null,
    updatedBy: null,
    evaluation: null,
  };
}

function customSummary(stored: StoredModelVersion): LanguageModelSummary {
  const d = stored.definition;
  return {
    id: stored.id,
    name: d.name,
    kind: d.kind,
    description: d.description,
    enabled: d.enabled,
    version: stored.version,
    intents: d.intents.map((i) => ({ intent: i.intent, scenario: i.scenario ?? null })),
    updatedAt: stored.createdAt,
    updatedBy: stored.createdBy,
    evaluation: stored.evaluation,
  };
}
