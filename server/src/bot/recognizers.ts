/**
 * The recognizer the server runs: a scenario's exact trigger or a command word first (score 1), then
 * the language models (built-in and authors' models, misspelt medical words forgiven), and, when they
 * reach no intent, the greeting bot's keyword table. An intent is reported as the trigger of the
 * scenario it starts (`book_appointment` → `book_appointment`, `talk_to_person` → `agent`); an intent
 * without a scenario (yes, no) reports no intent, so the answer goes to the prompt that is waiting.
 */
import type { Recognition as LanguageRecognition } from '../contracts/language.js';
import { classifyUtterance } from '../conversations/index.js';
import type { KeywordRecognizer, Recognition, Recognizer } from './participant.js';

export interface LanguageRecognizer {
  recognize(text: string, locale: string, options?: { entities?: boolean }): Promise<LanguageRecognition>;
}

/** The keyword table's intents, as the triggers of the scenarios that serve them. */
const KEYWORD_TRIGGERS: Record<string, string> = {
  scheduling: 'book_appointment',
  billing: 'billing_insurance',
  pharmacy: 'medication_refill',
  person: 'agent',
  'red-flag': 'emergency',
};

/** A request for a person, in so many words (not any mention of "person" or "nurse"). */
const ASKS_FOR_PERSON =
  /\b(talk|speak|chat)\s+(to|with)\s+(a|an|some|the|your)?\s*(real\s+|live\s+)?(person|human|agent|someone|somebody|representative|nurse|operator)\b|\b(real|live)\s+(person|agent|human)\b|\bhablar\s+con\s+(una\s+persona|alguien|un\s+agente|una\s+enfermera|un\s+humano)\b|^\s*(agent|human|representative|operator|person|agente|persona)\s*[.!?]*\s*$/i;

export class CombinedRecognizer implements Recognizer {
  constructor(
    private readonly language: LanguageRecognizer,
    private readonly keywords: KeywordRecognizer,
    /** Is a scenario with this trigger published? */
    private readonly has: (trigger: string) => boolean,
  ) {}

  async recognize(text: string, locale: string): Promise<Recognition> {
    const exact = this.keywords.exact(text);
    if (exact) return exact;
    // Asking for a person always gets one ("can I talk to a person about my appointment?").
    const keyword = classifyUtterance(text);
    if (ASKS_FOR_PERSON.test(text) && this.has('agent')) return { intent: 'agent', score: 0.95, entities: [], languageIntent: 'talk_to_person' };
    // Dates and numbers are read by the prompts themselves; the vocabulary's entities always come.
    const found = await this.language.recognize(text, locale, { entities: false });
    const alternatives = found.alternatives.filter((a) => a.scenario && this.has(a.scenario)).map((a) => ({ trigger: a.scenario!, score: a.score }));
    if (found.intent) {
      if (found.scenario && this.has(found.scenario)) {
        return { intent: found.scenario, score: found.score, entities: found.entities, alternatives, languageIntent: found.intent };
      }
      if (!found.scenario) return { intent: null, score: found.score, entities: found.entities, alternatives, languageIntent: found.intent };
    }
    const trigger = KEYWORD_TRIGGERS[keyword.intent];
    // A lone number is a menu pick or an answer, which the waiting prompt reads.
    if (trigger && this.has(trigger) && !/^\s*\d+\s*$/.test(text)) return { intent: trigger, score: 0.85, entities: found.entities, alternatives };
    return { intent: null, score: found.score, entities: found.entities, alternatives };
  }
}
