/**
 * Intent recognition over every model: the built-in ones (trained together, so their intents
 * compete), each author's RegEx and trained model. Each model scores intents; the best score wins
 * when it reaches the confidence threshold, otherwise the result has no intent and carries the best
 * alternatives, so the bot can say it did not understand and offer them or a person.
 */
import type { BotLocale, Recognition, RecognizedEntity } from '../../contracts/language.js';
import { IntentClassifier, type ClassifierMode, type TrainingExample } from './classifier.js';
import type { EntityRecognizers } from './entities.js';
import { yieldToEventLoop } from './evaluation.js';
import { compilePattern, type CompiledPattern } from './regex.js';
import { LOCALE_OF, languageOf, tokenize, type Language, type Token } from './text.js';
import type { MedicalVocabulary, Mention } from './vocabulary.js';

/** Words of the text stand in for a found condition, symptom or list value, so one example covers the vocabulary. */
function placeholderOf(entry: Mention['entry']): string {
  return entry.type === 'list' ? `ent${entry.entity}` : `med${entry.type}`;
}
/** Longer texts are cut here: intents show early, and a pasted essay must not cost more. */
export const MAX_RECOGNIZED_LENGTH = 2_000;
const ALTERNATIVES = 3;

export interface ModelIntent {
  intent: string;
  scenario?: string | undefined;
  utterances?: Partial<Record<BotLocale, readonly string[]>> | undefined;
  patterns?: Partial<Record<BotLocale, readonly string[]>> | undefined;
  /** Patterns apply to these locales only (none: all). */
  locales?: readonly BotLocale[] | undefined;
}

export interface ModelSource {
  id: string;
  intents: readonly ModelIntent[];
}

interface Analysis {
  tokens: Token[];
  mentions: Mention[];
  /** Folded words: what patterns see. */
  folded: string;
  /** Folded words with vocabulary placeholders: what classifiers see. */
  features: string;
}

export function analyze(text: string, language: Language, vocabulary: MedicalVocabulary): Analysis {
  const tokens = tokenize(text.slice(0, MAX_RECOGNIZED_LENGTH));
  const mentions = vocabulary.find(tokens, language);
  const words: string[] = [];
  let m = 0;
  for (let i = 0; i < tokens.length; ) {
    const mention = mentions[m];
    if (mention && mention.first === i) {
      // The placeholder generalizes ("what is <condition>"); the id keeps what is special about one (COVID-19).
      words.push(placeholderOf(mention.entry), `${mention.entry.type[0]}${mention.entry.id.replace(/[^a-z0-9]/g, '')}`);
      i = mention.last;
      m += 1;
    } else {
      words.push(tokens[i]!.word);
      i += 1;
    }
  }
  return { tokens, mentions, folded: tokens.map((t) => t.word).join(' '), features: words.join(' ') };
}

export class CompiledModel {
  private constructor(
    readonly id: string,
    private readonly scenarios: Map<string, string | undefined>,
    private readonly patterns: Record<Language, Array<{ intent: string; pattern: CompiledPattern }>>,
    private readonly classifiers: Partial<Record<Language, IntentClassifier>>,
  ) {}

  /** Patterns are compiled (a bad one throws, naming it) and utterances trained, per language. */
  static async build(source: ModelSource, vocabulary: MedicalVocabulary, mode: ClassifierMode = 'ensemble'): Promise<CompiledModel> {
    const scenarios = new Map<string, string | undefined>();
    const patterns: Record<Language, Array<{ intent: string; pattern: CompiledPattern }>> = { en: [], es: [] };
    const examples: Record<Language, TrainingExample[]> = { en: [], es: [] };
    let analyzed = 0;
    for (const intent of source.intents) {
      scenarios.set(intent.intent, intent.scenario);
      for (const language of ['en', 'es'] as const) {
        const locale = LOCALE_OF[language];
        for (const p of intent.patterns?.[locale] ?? []) {
          const compiled = compilePattern(p);
          if ('error' in compiled) throw new Error(`pattern ${p}: ${compiled.error}`);
          patterns[language].push({ intent: intent.intent, pattern: compiled });
        }
        for (const u of intent.utterances?.[locale] ?? []) {
          if (++analyzed % 200 === 0) await yieldToEventLoop();
          const text = mode === 'ensemble' ? analyze(u, language, vocabulary).features : u;
          examples[language].push({ text, intent: intent.intent });
        }
      }
    }
    const classifiers: Partial<Record<Language, IntentClassifier>> = {};
    for (const language of ['en', 'es'] as const) {
      if (examples[language].length > 0) classifiers[language] = await IntentClassifier.train(language, examples[language], mode);
    }
    return new CompiledModel(source.id, scenarios, patterns, classifiers);
  }

  /** RegEx intents: the same patterns for the locales they name (or every locale). */
  static regex(id: string, intents: ReadonlyArray<{ intent: string; scenario?: string | undefined; patterns: readonly string[]; locales?: readonly BotLocale[] | undefined }>): CompiledModel {
    const scenarios = new Map<string, string | undefined>();
    const patterns: Record<Language, Array<{ intent: string; pattern: CompiledPattern }>> = { en: [], es: [] };
    for (const intent of intents) {
      scenarios.set(intent.intent, intent.scenario);
      for (const p of intent.patterns) {
        const compiled = compilePattern(p);
        if ('error' in compiled) throw new Error(`pattern ${p}: ${compiled.error}`);
        for (const language of ['en', 'es'] as const) {
          if (!intent.locales || intent.locales.includes(LOCALE_OF[language])) patterns[language].push({ intent: intent.intent, pattern: compiled });
        }
      }
    }
    return new CompiledModel(id, scenarios, patterns, {});
  }

  scenarioOf(intent: string): string | undefined {
    return this.scenarios.get(intent);
  }

  /** Every intent this model gives a score, best first: a pattern match scores 1. */
  async score(analysis: Analysis, language: Language): Promise<Array<{ intent: string; score: number }>> {
    const scores = new Map<string, number>();
    for (const { intent, pattern } of this.patterns[language]) if (pattern.test(analysis.folded)) scores.set(intent, 1);
    const classifier = this.classifiers[language];
    if (classifier && analysis.features) {
      for (const s of await classifier.classify(analysis.features)) if (s.score > (scores.get(s.intent) ?? 0)) scores.set(s.intent, s.score);
    }
    return [...scores.entries()].map(([intent, score]) => ({ intent, score })).sort((a, b) => b.score - a.score);
  }
}

export interface RecognizeContext {
  models: readonly CompiledModel[];
  /**
   * The intent (and its model) for a text that names a symptom but reaches no intent: a patient who
   * describes a symptom is better asked triage questions than told the bot did not understand.
   */
  symptomFallback?: { intent: string; model: CompiledModel } | undefined;
  vocabulary: MedicalVocabulary;
  entities: EntityRecognizers | null;
  threshold: number;
  now: Date;
}

function mentionEntity(mention: Mention, tokens: readonly Token[], text: string): RecognizedEntity {
  const start = tokens[mention.first]!.start;
  const end = tokens[mention.last - 1]!.end;
  const { entry } = mention;
  const corrected = mention.edits > 0;
  const value = entry.type === 'condition' ? { id: entry.id, name: entry.name, icd10: entry.icd10, corrected } : { id: entry.id, name: entry.name, corrected };
  return { type: entry.type === 'list' ? entry.entity : entry.type, text: text.slice(start, end), value, start, end };
}

/**
 * Conditions named inside a longer symptom phrase ("having a heart attack" is a symptom, and "heart
 * attack" in it a condition): both are entities, so condition information and triage each find theirs.
 */
function nestedConditions(analysis: Analysis, language: Language, vocabulary: MedicalVocabulary): Mention[] {
  const symptoms = analysis.mentions.filter((m) => m.entry.type === 'symptom' && m.last - m.first > 1);
  if (symptoms.length === 0) return [];
  return vocabulary
    .find(analysis.tokens, language, 'condition')
    .filter((c) => symptoms.some((s) => s.first <= c.first && c.last <= s.last));
}

/** `entities: false` skips dates, numbers and yes/no (the vocabulary's conditions and symptoms are always there). */
export async function recognizeWith(ctx: RecognizeContext, text: string, locale: string, options: { entities?: boolean } = {}): Promise<Recognition> {
  const language = languageOf(locale);
  const cut = text.slice(0, MAX_RECOGNIZED_LENGTH);
  const analysis = analyze(cut, language, ctx.vocabulary);
  const best = new Map<string, { score: number; model: CompiledModel }>();
  for (const model of ctx.models) {
    for (const s of await model.score(analysis, language)) {
      if (s.score > (best.get(s.intent)?.score ?? 0)) best.set(s.intent, { score: s.score, model });
    }
  }
  const ranked = [...best.entries()]
    .map(([intent, { score, model }]) => ({ intent, score: Math.round(score * 1000) / 1000, model }))
    // A score that rounds to nothing is no alternative worth offering.
    .filter((r) => r.score >= 0.01)
    .sort((a, b) => b.score - a.score || a.intent.localeCompare(b.intent));
  const entities = [...analysis.mentions.map((m) => mentionEntity(m, analysis.tokens, cut)), ...nestedConditions(analysis, language, ctx.vocabulary).map((m) => mentionEntity(m, analysis.tokens, cut)), ...((options.entities !== false && ctx.entities?.recognize(cut, language, ctx.now)) || [])].sort((a, b) => a.start - b.start);
  const present = (r: (typeof ranked)[number]) => {
    const scenario = r.model.scenarioOf(r.intent);
    return scenario ? { intent: r.intent, score: r.score, scenario } : { intent: r.intent, score: r.score };
  };
  let top = ranked[0];
  const fallback = ctx.symptomFallback;
  if ((!top || top.score < ctx.threshold) && fallback && analysis.mentions.some((m) => m.entry.type === 'symptom')) {
    const index = ranked.findIndex((r) => r.intent === fallback.intent);
    const chosen = { intent: fallback.intent, score: Math.max(ctx.threshold, index >= 0 ? ranked[index]!.score : 0), model: fallback.model };
    if (index >= 0) ranked.splice(index, 1);
    ranked.unshift(chosen);
    top = chosen;
  }
  if (top && top.score >= ctx.threshold) {
    const scenario = top.model.scenarioOf(top.intent);
    return {
      intent: top.intent,
      score: top.score,
      ...(scenario ? { scenario } : {}),
      entities,
      alternatives: ranked.slice(1, 1 + ALTERNATIVES).map(present),
      model: top.model.id,
    };
  }
  return { intent: null, score: top?.score ?? 0, entities, alternatives: ranked.slice(0, ALTERNATIVES).map(present), ...(top ? { model: top.model.id } : {}) };
}
