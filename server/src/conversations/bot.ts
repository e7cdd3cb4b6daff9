/**
 * The bot participant interface, and the greeting/menu bot that owns every new conversation until
 * the health-bot engine (its own issue) implements the same interface.
 *
 * A bot answers with replies and, when the patient wants a person (or the bot cannot help), a
 * handoff request. The conversation service persists the replies, builds the handoff packet, moves
 * the conversation to `queued` and mutes the bot once an agent is active.
 */
import type { BotContent, ConversationChannel, HandoffQueue, MessageView } from '../contracts/conversations.js';
import { RED_FLAG_PRIORITY } from '../contracts/routing.js';

type MaybePromise<T> = T | Promise<T>;

export interface BotContext {
  conversationId: string;
  channel: ConversationChannel;
  /** The patient's display name (signed-in patient or visitor), if known. */
  displayName: string | null;
  /** The transcript so far (patient, bot and system messages; never internal notes). */
  history(): MessageView[];
  /** How the conversation was started on a channel that chooses (the Direct Line API's `trigger`, `locale`). */
  start?: { trigger?: string; locale?: string };
  /** The signed-in patient's id, or the visitor's id (user-scope variables are kept per user). */
  userId?: string;
  patientId?: string | null;
}

export interface BotReply {
  /** The text (Markdown when `bot.textFormat` says so); it reads on its own wherever cards are not drawn. */
  body: string;
  kind?: 'text' | 'card';
  /** Adaptive Cards or hero cards and suggested actions (choices), stored with the message (`BotContent`). */
  bot?: BotContent;
}

export interface HandoffRequest {
  /** Why the bot hands off, e.g. `patient-asked`, `red-flag`, `not-understood`. */
  reason: string;
  /** What the patient needs: `scheduling`, `billing`, `pharmacy`, `general`… */
  intent: string;
  /** Language the patient writes in (BCP 47 primary tag: `en`, `es`). */
  language: string;
  collectedAnswers: Record<string, string>;
  triageDisposition?: string;
  /** Routing priority, 0 (urgent, red flag) … 3 (low); default DEFAULT_PRIORITY from contracts/routing. */
  priority?: number;
  summary: string;
}

export interface BotTurn {
  replies: BotReply[];
  handoff?: HandoffRequest;
}

export interface BotParticipant {
  /** The participant id the bot's messages carry, e.g. `bot:greeting`. */
  readonly id: string;
  readonly displayName: string;
  onConversationStart(ctx: BotContext): MaybePromise<BotTurn>;
  onPatientMessage(ctx: BotContext, message: MessageView): MaybePromise<BotTurn>;
}

/** The queue a handoff goes to: Spanish speakers to the Spanish queue, others by intent. */
export function queueFor(intent: string, language: string): HandoffQueue {
  if (language === 'es') return 'spanish';
  if (intent === 'scheduling' || intent === 'billing' || intent === 'pharmacy' || intent === 'nurse-line') return intent;
  return 'general';
}

/** Lower case, accents removed, punctuation to spaces, single-spaced — for keyword matching. */
export function normalizeUtterance(text: string): string {
  return ` ${text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;
}

const has = (normalized: string, words: readonly string[]) => words.some((w) => normalized.includes(` ${w} `));

const PERSON_WORDS = [
  'talk to a person', 'speak to a person', 'talk to someone', 'speak to someone', 'real person', 'person', 'agent',
  'human', 'representative', 'operator', 'live chat', 'nurse',
  'hablar con una persona', 'hablar con alguien', 'persona', 'agente', 'humano', 'representante', 'operador',
];
const INTENT_WORDS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['scheduling', ['appointment', 'appointments', 'schedule', 'reschedule', 'book', 'cancel', 'visit', 'cita', 'citas', 'turno']],
  ['billing', ['bill', 'billing', 'invoice', 'payment', 'pay', 'insurance', 'copay', 'charge', 'factura', 'facturacion', 'pago', 'seguro', 'cobro']],
  ['pharmacy', ['prescription', 'prescriptions', 'refill', 'pharmacy', 'medication', 'medicine', 'receta', 'recetas', 'medicamento', 'farmacia']],
];
const MENU_NUMBERS: Readonly<Record<string, string>> = { ' 1 ': 'scheduling', ' 2 ': 'billing', ' 3 ': 'pharmacy', ' 4 ': 'person' };
/** Words that signal an emergency: hand off at once, first in line, and say to call 911. */
const RED_FLAG_WORDS = [
  'chest pain', 'cant breathe', 'can t breathe', 'cannot breathe', 'trouble breathing', 'suicide', 'kill myself',
  'overdose', 'stroke', 'unconscious', 'severe bleeding', 'dolor de pecho', 'no puedo respirar', 'suicidio',
];
const SPANISH_WORDS = [
  'hola', 'quiero', 'necesito', 'hablar', 'persona', 'por favor', 'gracias', 'ayuda', 'cita', 'receta', 'factura',
  'espanol', 'buenos', 'buenas', 'tengo', 'con', 'una', 'mi', 'para', 'pago', 'medicamento', 'farmacia', 'agente',
  'dolor', 'de', 'que', 'sobre', 'puedo', 'como', 'estoy',
];

export interface Classification {
  intent: 'scheduling' | 'billing' | 'pharmacy' | 'person' | 'red-flag' | 'unknown';
  /** The person-request wording also names a topic ("a person about my bill"). */
  topic: string | null;
  language: 'en' | 'es';
}

/** Pure: what the patient asked for, in which language. Table-tested. */
export function classifyUtterance(text: string): Classification {
  const n = normalizeUtterance(text);
  const spanishHits = SPANISH_WORDS.filter((w) => n.includes(` ${w} `)).length;
  const language = /[ñ¿¡]/i.test(text) || spanishHits >= 2 || n === ' espanol ' || n === ' hola ' ? 'es' : 'en';
  let topic: string | null = null;
  for (const [intent, words] of INTENT_WORDS) {
    if (has(n, words)) {
      topic = intent;
      break;
    }
  }
  if (has(n, RED_FLAG_WORDS)) return { intent: 'red-flag', topic, language };
  const menu = MENU_NUMBERS[n];
  if (menu) return { intent: menu as Classification['intent'], topic: menu === 'person' ? null : menu, language };
  if (has(n, PERSON_WORDS)) return { intent: 'person', topic, language };
  if (topic) return { intent: topic as Classification['intent'], topic, language };
  return { intent: 'unknown', topic: null, language };
}

const TEXT = {
  en: {
    greeting: (name: string | null) =>
      `Hi${name ? ` ${name}` : ''}, I'm the Carebridge assistant. I can help with:\n1. Appointments\n2. Billing\n3. Prescriptions\n4. Talk to a person\nReply with a number or tell me what you need.`,
    scheduling: 'You can book, move or cancel appointments under Appointments in the portal. Reply 4 if you would like a person to help.',
    billing: 'Your statements and payment options are under Billing in the portal. Reply 4 if you would like a person to help.',
    pharmacy: 'You can request a refill under Medications in the portal; refills are usually ready in 2 business days. Reply 4 if you would like a person to help.',
    unknown: "Sorry, I didn't understand. Reply 1 for appointments, 2 for billing, 3 for prescriptions or 4 to talk to a person.",
    handoff: "I'm connecting you with a person from our team. Please stay in this chat; the transcript so far will be shared with them.",
    redFlag: 'If this is an emergency, call 911 now. I am connecting you with our team right away.',
  },
  es: {
    greeting: (name: string | null) =>
      `Hola${name ? ` ${name}` : ''}, soy el asistente de Carebridge. Puedo ayudarle con:\n1. Citas\n2. Facturación\n3. Recetas\n4. Hablar con una persona\nResponda con un número o dígame qué necesita.`,
    scheduling: 'Puede reservar, cambiar o cancelar citas en la sección Citas del portal. Responda 4 si prefiere hablar con una persona.',
    billing: 'Sus estados de cuenta y opciones de pago están en Facturación. Responda 4 si prefiere hablar con una persona.',
    pharmacy: 'Puede pedir una renovación de receta en Medicamentos; suele estar lista en 2 días hábiles. Responda 4 si prefiere hablar con una persona.',
    unknown: 'Disculpe, no le entendí. Responda 1 para citas, 2 para facturación, 3 para recetas o 4 para hablar con una persona.',
    handoff: 'Le comunico con una persona de nuestro equipo. Por favor permanezca en este chat.',
    redFlag: 'Si es una emergencia, llame al 911 ahora. Le comunico con nuestro equipo de inmediato.',
  },
} as const;

/** Greets, offers a menu, answers menu choices with canned text, and hands off when asked. */
export class GreetingMenuBot implements BotParticipant {
  readonly id = 'bot:greeting';
  readonly displayName = 'Carebridge assistant';

  onConversationStart(ctx: BotContext): BotTurn {
    return { replies: [{ body: TEXT.en.greeting(ctx.displayName) }] };
  }

  onPatientMessage(ctx: BotContext, message: MessageView): BotTurn {
    const c = classifyUtterance(message.body);
    // Once the patient has written Spanish, keep answering in Spanish.
    const patientTurns = ctx.history().filter((m) => m.sender.kind === 'patient' || m.sender.kind === 'visitor');
    const language = c.language === 'es' || patientTurns.some((m) => classifyUtterance(m.body).language === 'es') ? 'es' : 'en';
    const text = TEXT[language];
    if (c.intent === 'scheduling' || c.intent === 'billing' || c.intent === 'pharmacy') {
      return { replies: [{ body: text[c.intent] }] };
    }
    if (c.intent === 'unknown') return { replies: [{ body: text.unknown }] };

    // A person is needed: the topic is the one named now, or the last menu topic discussed.
    const earlierTopics = patientTurns.map((m) => classifyUtterance(m.body).topic).filter((t): t is string => t !== null);
    const intent = c.topic ?? earlierTopics.at(-1) ?? 'general';
    const collectedAnswers: Record<string, string> = {};
    const first = patientTurns.find((m) => m.id !== message.id);
    if (first) collectedAnswers.firstMessage = first.body.slice(0, 500);
    collectedAnswers.lastMessage = message.body.slice(0, 500);
    if (earlierTopics.length > 0) collectedAnswers.topicsDiscussed = [...new Set(earlierTopics)].join(', ');
    const redFlag = c.intent === 'red-flag';
    return {
      replies: [{ body: redFlag ? text.redFlag : text.handoff }],
      handoff: {
        reason: redFlag ? 'red-flag' : 'patient-asked',
        intent,
        language,
        collectedAnswers,
        ...(redFlag ? { triageDisposition: 'emergency-advice-given', priority: RED_FLAG_PRIORITY } : {}),
        summary: `${redFlag ? 'Possible emergency' : 'Patient asked for a person'} (${intent}, ${language === 'es' ? 'Spanish' : 'English'}) after ${patientTurns.length} message(s): "${message.body.slice(0, 200)}"`,
      },
    };
  }
}
