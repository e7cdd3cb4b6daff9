/**
 * Smart assist: after each patient message in a conversation with staff, what helps right now —
 * up to three knowledge articles, similar resolved conversations, an agent script, replies to send,
 * actions (book, survey, nurse line) — each with a confidence and the words it matched; and a
 * clinical red flag in the patient's words raises a banner that stays, loads the nurse-escalation
 * script and tells the supervisors. Computed off the message path (the listener only schedules it),
 * one computation per conversation at a time, the latest message winning.
 */
import type SQLite from 'better-sqlite3';
import type {
  AssistRatingRequest,
  AssistRedFlag,
  AssistRedFlagNotice,
  AssistReportResponse,
  AssistReportRow,
  AssistSuggestion,
  AssistUpdate,
} from '../contracts/assist.js';
import { ASSIST_SUGGESTION_KINDS } from '../contracts/assist.js';
import type { KnowledgeSearchResponse, KnowledgeSearchQuery } from '../contracts/knowledge.js';
import type { Recognition } from '../contracts/language.js';
import type { ScriptSummary } from '../contracts/agent-scripts.js';
import type { TriageAssessment } from '../contracts/triage.js';
import type { Logger } from '../platform/logging.js';
import { INTENT_SUGGESTIONS } from './replies.js';
import { stem } from '../triage/index.js';
import { SimilarConversations, contentTerms, type ResolvedConversation } from './similar.js';

/** The conversation as smart assist needs it. */
export interface AssistConversation {
  id: string;
  state: string;
  patientId: string | null;
  agentId: string | null;
  queue: string | null;
  /** The bot's hand-off: its intent and summary, and the patient's first words. */
  handoff: { intent: string; summary: string; language: string; triageDisposition?: string } | null;
}

export interface AssistDeps {
  sqlite: SQLite.Database;
  logger: Pick<Logger, 'error' | 'warn'>;
  conversation(id: string): AssistConversation | undefined;
  /** Recent resolved conversations (closed with a wrap-up), newest first. */
  resolved(limit: number): Promise<ResolvedConversation[]>;
  knowledge: { search(query: KnowledgeSearchQuery): Promise<KnowledgeSearchResponse> };
  triage: { assess(input: { text: string; language?: 'en' | 'es' }): TriageAssessment };
  language: { recognize(text: string, locale: string, options?: { entities?: boolean }): Promise<Recognition> };
  scripts: { published(): ScriptSummary[]; loadForAlert(conversationId: string, scriptId: string, reason: string): boolean };
  /** To the staff in the conversation. */
  push(update: AssistUpdate): void;
  /** To the supervisors. */
  notifySupervisors(notice: AssistRedFlagNotice): void;
  now?: () => Date;
  /**
   * The share of one core suggestions may take (default 0.1): after a computation of d ms the next
   * waits d × (1/share − 1), so message delivery keeps the event loop whatever the load; under a
   * flood, each conversation's latest message is the one answered.
   */
  cpuShare?: number;
}

/** States in which a person is with the patient or about to be. */
const STAFFED_STATES = new Set(['queued', 'offered', 'active', 'waiting']);
/** The script loaded for a red flag (shipped in agent-scripts/). */
export const RED_FLAG_SCRIPT = 'nurse-triage-escalation';
const FLAGGED_DISPOSITIONS = new Set(['emergency_ambulance', 'emergency']);
/** Findings that raise the banner whatever the disposition: a crisis needs 988 now. */
const CRISIS_FINDINGS = new Set(['suicidal_thoughts', 'suicidal_plan', 'self_harm', 'harm_to_others']);
const MAX_TEXT = 2_000;

export class AssistService {
  private readonly similar = new SimilarConversations();
  private readonly latest = new Map<string, AssistUpdate>();
  /** The latest message waiting per conversation (an older one is dropped: the suggestions answer the latest). */
  private readonly queued = new Map<string, { messageId: string; text: string }>();
  private pumping: Promise<void> | null = null;
  /** When the next computation may start (the CPU share). */
  private nextAt = 0;
  private readonly statements;
  private readonly now: () => Date;

  constructor(private readonly deps: AssistDeps) {
    this.now = deps.now ?? (() => new Date());
    this.statements = {
      save: deps.sqlite.prepare<[string, string, string]>(
        `INSERT INTO assist_updates (conversation_id, update_json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET update_json = excluded.update_json, updated_at = excluded.updated_at`,
      ),
      load: deps.sqlite.prepare<[string], { update_json: string }>('SELECT update_json FROM assist_updates WHERE conversation_id = ?'),
      shown: deps.sqlite.prepare<[string, string, string, string]>(
        'INSERT INTO assist_shown (conversation_id, suggestion_id, kind, at) VALUES (?, ?, ?, ?) ON CONFLICT (conversation_id, suggestion_id) DO NOTHING',
      ),
      rate: deps.sqlite.prepare<[string, string, string, string, string, string]>(
        `INSERT INTO assist_ratings (conversation_id, suggestion_id, kind, user_id, rating, at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (conversation_id, suggestion_id, user_id) DO UPDATE SET rating = excluded.rating, kind = excluded.kind, at = excluded.at`,
      ),
      report: deps.sqlite.prepare<[string, string, string, string], { kind: string; shown: number; helpful: number; not_helpful: number; used: number }>(
        `SELECT k.kind AS kind,
                (SELECT count(*) FROM assist_shown s WHERE s.kind = k.kind AND s.at >= ? AND s.at < ?) AS shown,
                sum(r.rating = 'helpful') AS helpful, sum(r.rating = 'not-helpful') AS not_helpful, sum(r.rating = 'used') AS used
           FROM (SELECT DISTINCT kind FROM assist_shown UNION SELECT DISTINCT kind FROM assist_ratings) k
           LEFT JOIN assist_ratings r ON r.kind = k.kind AND r.at >= ? AND r.at < ?
          GROUP BY k.kind`,
      ),
      redFlags: deps.sqlite.prepare<[string, string], { n: number }>("SELECT count(*) AS n FROM assist_updates WHERE json_extract(update_json, '$.redFlag.at') >= ? AND json_extract(update_json, '$.redFlag.at') < ?"),
    };
  }

  /** Loads recent resolved conversations into the similarity index. */
  async start(): Promise<void> {
    for (const conversation of (await this.deps.resolved(5_000)).reverse()) this.similar.add(conversation);
  }

  /** A conversation was closed with a wrap-up: it can be suggested from now on. */
  resolvedConversation(conversation: ResolvedConversation): void {
    this.similar.add(conversation);
  }

  /** The latest suggestions (memory, else the stored ones after a restart). */
  state(conversationId: string): AssistUpdate | null {
    const cached = this.latest.get(conversationId);
    if (cached) return cached;
    const row = this.statements.load.get(conversationId);
    if (!row) return null;
    const update = JSON.parse(row.update_json) as AssistUpdate;
    this.latest.set(conversationId, update);
    return update;
  }

  /**
   * A patient message (or the hand-off's words): schedules suggestions for it. Never throws, never
   * blocks the caller; a conversation with the bot alone gets none.
   */
  onPatientText(conversationId: string, messageId: string, text: string): void {
    const conversation = this.deps.conversation(conversationId);
    if (!conversation || !STAFFED_STATES.has(conversation.state) || text.trim() === '') return;
    this.queued.delete(conversationId); // to the back of the line, with its latest words
    this.queued.set(conversationId, { messageId, text: text.slice(0, MAX_TEXT) });
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  /** One computation at a time, conversations in turn, within the CPU share. */
  private async pump(): Promise<void> {
    const share = Math.min(1, Math.max(0.05, this.deps.cpuShare ?? 0.1));
    await Promise.resolve(); // off the publisher's stack
    for (;;) {
      const wait = this.nextAt - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const next = this.queued.entries().next();
      if (next.done) return;
      const [conversationId, { messageId, text }] = next.value;
      this.queued.delete(conversationId);
      const started = performance.now();
      try {
        await this.compute(conversationId, messageId, text);
      } catch (err) {
        this.deps.logger.error({ err, conversationId }, 'smart assist failed for a message');
      }
      const took = performance.now() - started;
      this.nextAt = performance.now() + took * (1 / share - 1);
    }
  }

  /** Resolves once every scheduled computation is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /** Forget a closed conversation's cached suggestions (the stored ones stay for the report). */
  closed(conversationId: string): void {
    this.latest.delete(conversationId);
    this.queued.delete(conversationId);
  }

  rate(conversationId: string, userId: string, request: AssistRatingRequest): void {
    this.statements.rate.run(conversationId, request.suggestionId, request.kind, userId, request.rating, this.now().toISOString());
  }

  report(from: string, to: string): AssistReportResponse {
    const rows = this.statements.report.all(from, to, from, to);
    const byKind = new Map(rows.map((r) => [r.kind, r]));
    const out: AssistReportRow[] = ASSIST_SUGGESTION_KINDS.map((kind) => {
      const r = byKind.get(kind);
      const helpful = r?.helpful ?? 0;
      const notHelpful = r?.not_helpful ?? 0;
      const used = r?.used ?? 0;
      const rated = helpful + notHelpful + used;
      return { kind, shown: r?.shown ?? 0, helpful, notHelpful, used, acceptance: rated === 0 ? null : (helpful + used) / rated };
    });
    return { from, to, rows: out, redFlags: this.statements.redFlags.get(from, to)?.n ?? 0 };
  }

  /** The suggestions for one patient text (exposed for the benchmark and tests). */
  async suggest(conversation: AssistConversation, text: string): Promise<{ suggestions: AssistSuggestion[]; assessment: TriageAssessment | null; language: 'en' | 'es' }> {
    const spanish = conversation.handoff?.language === 'es' || /[¿¡ñ]|\b(el|la|los|las|que|por|para|una|tengo|necesito|quiero|cita|gracias)\b/i.test(text);
    const language = spanish ? 'es' : 'en';
    const [recognition, articles] = await Promise.all([
      this.deps.language.recognize(text, spanish ? 'es-US' : 'en-US', { entities: false }).catch(() => null),
      this.deps.knowledge.search({ q: searchableText(text), limit: 3 }).catch(() => null),
    ]);
    const assessment = text.trim().split(/\s+/).length >= 2 ? safeAssess(this.deps.triage, text, language) : null;
    const suggestions: AssistSuggestion[] = [];

    // Knowledge: the patient's words the article matched are the reason (synonyms the search added count, but are not named).
    const queryTerms = contentTerms(text);
    const top = articles?.results[0]?.score ?? 0;
    for (const article of articles?.results ?? []) {
      const marked = [...new Set(article.snippet.filter((p) => p.match).map((p) => p.text.toLowerCase().trim()).filter(Boolean))];
      if (marked.length === 0) continue;
      const own = [...new Set(marked.filter((w) => queryTerms.has(stem(w))).map((w) => queryTerms.get(stem(w))!))];
      const matched = own.length > 0 ? own : marked.slice(0, 3);
      const coverage = queryTerms.size === 0 ? 0 : own.length / queryTerms.size;
      const confidence = round(Math.min(0.95, 0.2 + 0.35 * (top > 0 ? article.score / top : 0) + 0.4 * coverage));
      suggestions.push({
        id: `article:${article.id}`,
        kind: 'article',
        title: article.title,
        detail: article.summary,
        confidence,
        reason: own.length > 0 ? `matched: ${matched.join(', ')}` : `related: ${matched.join(', ')}`,
        matched,
        article: { id: article.id, title: article.title },
      });
    }

    // Similar resolved conversations (their disposition and date only).
    for (const match of this.similar.search(`${text} ${conversation.handoff?.intent ?? ''}`, 2, conversation.id)) {
      const c = match.conversation;
      suggestions.push({
        id: `conversation:${c.id}`,
        kind: 'conversation',
        title: c.dispositionLabel ? `Resolved as “${c.dispositionLabel}”` : 'A resolved conversation',
        detail: `${c.queue ? `${c.queue} queue, ` : ''}closed ${c.closedAt ? c.closedAt.slice(0, 10) : 'earlier'}`,
        confidence: round(Math.min(0.9, 0.3 + 0.6 * match.score)),
        reason: `matched: ${match.matched.join(', ')}`,
        matched: match.matched.map((m) => m.toLowerCase()),
        conversation: { id: c.id, closedAt: c.closedAt, disposition: c.disposition, dispositionLabel: c.dispositionLabel, queue: c.queue },
      });
    }

    // A script whose topics, title or description share the patient's words.
    const script = this.bestScript(text, recognition?.intent ?? null, assessment);
    if (script) suggestions.push(script);

    // Replies and an action for what the patient asks.
    const intent = recognition?.intent ?? null;
    const known = intent ? INTENT_SUGGESTIONS[intent] : undefined;
    if (intent && known && recognition) {
      const confidence = round(Math.min(0.95, recognition.score));
      known.replies.forEach((reply, i) => {
        const body = language === 'es' ? reply.es : reply.en;
        suggestions.push({ id: `reply:${intent}:${i}`, kind: 'reply', title: body, detail: body, confidence, reason: `the patient is asking about ${labelOf(intent)}`, matched: [], reply: { text: body } });
      });
      if (known.action) {
        suggestions.push({
          id: `action:${known.action.type}`,
          kind: 'action',
          title: known.action.title,
          detail: known.action.detail,
          confidence,
          reason: `the patient is asking about ${labelOf(intent)}`,
          matched: [],
          action: { type: known.action.type, ...(known.action.type === 'escalate-nurse' ? { queue: 'nurse-line' } : {}) },
        });
      }
    }
    // Symptoms that need a nurse, whatever the intent said.
    if (assessment && assessment.recognised && assessment.disposition !== 'self_care' && !suggestions.some((s) => s.action?.type === 'escalate-nurse')) {
      const findings = assessment.findings.filter((f) => f.present).map((f) => f.name.toLowerCase());
      suggestions.push({
        id: 'action:escalate-nurse',
        kind: 'action',
        title: 'Escalate to the nurse line',
        detail: `Triage reads this as ${assessment.disposition.replace(/_/g, ' ')}.`,
        confidence: round(assessment.disposition === 'consultation' ? 0.6 : 0.85),
        reason: findings.length ? `symptoms: ${findings.slice(0, 4).join(', ')}` : 'symptoms in the patient’s words',
        matched: findings,
        action: { type: 'escalate-nurse', queue: 'nurse-line' },
      });
    }
    return { suggestions, assessment, language };
  }

  private async compute(conversationId: string, messageId: string, text: string): Promise<void> {
    const conversation = this.deps.conversation(conversationId);
    if (!conversation || !STAFFED_STATES.has(conversation.state)) return;
    const { suggestions, assessment } = await this.suggest(conversation, text);
    const previous = this.state(conversationId);
    let redFlag = previous?.redFlag ?? null;
    const at = this.now().toISOString();
    if (!redFlag && assessment && isRedFlag(assessment)) {
      const findings = assessment.findings.filter((f) => f.present).map((f) => f.name);
      let scriptId: string | null = null;
      try {
        if (this.deps.scripts.loadForAlert(conversationId, RED_FLAG_SCRIPT, `Red flag in the patient’s words: ${findings.slice(0, 3).join(', ') || assessment.disposition}.`)) scriptId = RED_FLAG_SCRIPT;
      } catch (err) {
        this.deps.logger.warn({ err, conversationId }, 'smart assist could not load the nurse-escalation script');
      }
      redFlag = { disposition: assessment.disposition, instruction: assessment.instruction, findings, scriptId, at } satisfies AssistRedFlag;
      this.deps.notifySupervisors({ conversationId, disposition: assessment.disposition, agentId: conversation.agentId, queue: conversation.queue, at });
    }
    const update: AssistUpdate = { conversationId, messageId, at, suggestions, redFlag };
    const still = this.deps.conversation(conversationId);
    if (!still || !STAFFED_STATES.has(still.state)) return;
    this.latest.set(conversationId, update);
    this.statements.save.run(conversationId, JSON.stringify(update), at);
    for (const s of suggestions) this.statements.shown.run(conversationId, s.id, s.kind, at);
    this.deps.push(update);
  }

  private bestScript(text: string, intent: string | null, assessment: TriageAssessment | null): AssistSuggestion | undefined {
    const terms = contentTerms(`${text} ${intent ? intent.replace(/_/g, ' ') : ''}`);
    if (terms.size === 0) return undefined;
    let best: { script: ScriptSummary; matched: string[]; score: number } | undefined;
    for (const script of this.deps.scripts.published()) {
      const own = contentTerms(`${script.title} ${script.description} ${(script.selection.topics ?? []).join(' ')} ${(script.selection.intents ?? []).join(' ')}`.replace(/-/g, ' '));
      const matched = [...terms].filter(([t]) => own.has(t)).map(([, shown]) => shown);
      let score = matched.length;
      if (script.id === RED_FLAG_SCRIPT && assessment?.recognised && assessment.disposition !== 'self_care') score += 2;
      if (score > 0 && (!best || score > best.score)) best = { script, matched, score };
    }
    if (!best || (best.matched.length === 0 && best.score < 2)) return undefined;
    return {
      id: `script:${best.script.id}`,
      kind: 'script',
      title: best.script.title,
      detail: best.script.description,
      confidence: round(Math.min(0.9, 0.3 + 0.15 * best.score)),
      reason: best.matched.length ? `matched: ${best.matched.join(', ')}` : 'symptoms in the patient’s words',
      matched: best.matched.map((m) => m.toLowerCase()),
      script: { id: best.script.id, title: best.script.title },
    };
  }
}

function isRedFlag(assessment: TriageAssessment): boolean {
  return FLAGGED_DISPOSITIONS.has(assessment.disposition) || assessment.findings.some((f) => f.present && CRISIS_FINDINGS.has(f.id));
}

function safeAssess(triage: AssistDeps['triage'], text: string, language: 'en' | 'es'): TriageAssessment | null {
  try {
    return triage.assess({ text: text.slice(0, MAX_TEXT), language });
  } catch {
    return null;
  }
}

/** The knowledge search takes a short query: the message's content words. */
function searchableText(text: string): string {
  return [...contentTerms(text).values()].join(' ').slice(0, 190);
}

const INTENT_PHRASES: Record<string, string> = {
  book_appointment: 'booking a visit',
  reschedule_appointment: 'moving a visit',
  cancel_appointment: 'cancelling a visit',
  find_doctor: 'finding a doctor',
  medication_refill: 'a refill',
  billing_insurance: 'billing or insurance',
  condition_info: 'a health condition',
  triage: 'symptoms',
  covid_assessment: 'COVID-19',
  feedback: 'feedback',
  thanks: 'wrapping up',
  greeting: 'getting started',
};
const labelOf = (intent: string) => INTENT_PHRASES[intent] ?? intent.replace(/_/g, ' ');
const round = (n: number) => Math.round(n * 100) / 100;
