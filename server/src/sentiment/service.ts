/**
 * Sentiment's logic: scores each patient message as it is delivered (synchronously, local model),
 * keeps each conversation's value over its last 6 patient messages, stores both through the group
 * commit, publishes `sentiment.updated` and (once per crossing) `sentiment.alert`; applies Azure's
 * scores when its job brings them; answers the trend and batch scoring.
 */
import type { ConversationSentiment, ConversationSentimentEvent, ConversationSentimentResponse, SentimentResult, SentimentTrendPoint } from '../contracts/sentiment.js';
import type { MessageView } from '../contracts/conversations.js';
import type { GroupCommit } from '../platform/db/index.js';
import type { EventPublisher, PublishedEvent } from '../platform/events.js';
import type { Logger } from '../platform/logging.js';
import { CONVERSATION_WINDOW, conversationValue, nextAlertState } from './conversation.js';
import { labelOfScale } from './model.js';
import { flagsOf, type ConversationRow, type ScoreRow, type SentimentRepository } from './repository.js';
import type { LocalSentimentProvider, ScoredText } from './provider.js';

/** Flags that mean "no evidence": such messages are stored but leave the conversation's value alone. */
const NO_EVIDENCE = new Set(['empty', 'binary', 'unsupported-language']);
/** Conversations kept in memory (their last 6 scores); the least recently scored are dropped beyond this. */
const CACHE_LIMIT = 5_000;
const EXCERPT_CHARS = 80;
/**
 * Scores are written in batches, at most this long after they were made: one savepoint in the next
 * group commit per batch rather than one per message. They are derived data (a lost batch is logged,
 * and the next message's value does not depend on it: the live window is in memory).
 */
const FLUSH_MS = 250;
/** Characters of a batch scored before yielding to the event loop (~1.5 ms). */
const SLICE_CHARS = 50_000;

interface LiveConversation {
  /** The evidence-carrying scores of the last 6 patient messages, oldest first. */
  window: number[];
  value: ConversationSentiment | null;
  armed: boolean;
}

export interface SentimentServiceDeps {
  repo: SentimentRepository;
  local: LocalSentimentProvider;
  commits: Pick<GroupCommit, 'run'>;
  events: EventPublisher;
  logger: Pick<Logger, 'error'>;
  alertScale: number;
  /** When Azure is configured: asks for its score later (a job); never awaited on the message path. */
  requestAzure?: (conversationId: string, messageId: string) => void;
  now?: () => Date;
}

export const excerptOf = (body: string) => {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length <= EXCERPT_CHARS ? flat : `${flat.slice(0, EXCERPT_CHARS - 1)}…`;
};

export const isPatientMessage = (message: MessageView) => (message.sender.kind === 'patient' || message.sender.kind === 'visitor') && message.kind === 'text';

export class SentimentService {
  private readonly live = new Map<string, LiveConversation>();
  private readonly now: () => Date;
  /** Rows not yet handed to the group commit (a rescore replaces the row it rescored). */
  private readonly pendingScores = new Map<string, ScoreRow>();
  private readonly pendingConversations = new Map<string, ConversationRow>();
  private flushTimer: NodeJS.Timeout | null = null;
  private lastFlush: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SentimentServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get alertScale(): number {
    return this.deps.alertScale;
  }

  /** The `conversation.message` listener: a patient's text message is scored at once. */
  onMessage(message: MessageView): void {
    if (!isPatientMessage(message)) return;
    const result = this.deps.local.scoreSync(message.body);
    const events = this.record(message.conversationId, { messageId: message.id, seq: message.seq, at: message.createdAt }, { result, provider: 'local' }, 'new');
    this.deps.events.publishAll(events);
    if (this.deps.requestAzure && isEvidence(result)) this.deps.requestAzure(message.conversationId, message.id);
  }

  /** Hands what is pending to the group commit; resolves once it is stored (reads, shutdown, tests). */
  flush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.pendingScores.size === 0 && this.pendingConversations.size === 0) return this.lastFlush;
    const scores = [...this.pendingScores.values()];
    const conversations = [...this.pendingConversations.values()];
    this.pendingScores.clear();
    this.pendingConversations.clear();
    const failed = (err: unknown) => this.deps.logger.error({ err, scores: scores.length }, 'sentiment: scores could not be stored');
    try {
      this.lastFlush = this.deps.commits
        .run(() => {
          for (const row of scores) this.deps.repo.saveScore(row);
          for (const row of conversations) this.deps.repo.saveConversation(row);
        })
        .catch(failed);
    } catch (err) {
      // A group commit that is already closed (shutdown) throws at once: logged, never thrown from a timer.
      failed(err);
      this.lastFlush = Promise.resolve();
    }
    return this.lastFlush;
  }

  /** The conversation ended: its live state can go (the stored rows stay). */
  forget(conversationId: string): void {
    this.live.delete(conversationId);
  }

  /**
   * Scores a batch (POST /api/sentiment) in slices of about 50,000 characters, yielding to the event
   * loop between them: a full batch (1,000 × 5,000 characters) is ~150 ms of CPU, and chat messages
   * must not wait behind it.
   */
  async scoreTexts(texts: readonly string[]): Promise<SentimentResult[]> {
    const results: SentimentResult[] = [];
    let chars = 0;
    for (const text of texts) {
      results.push(this.deps.local.scoreSync(text));
      chars += text.length;
      if (chars >= SLICE_CHARS) {
        chars = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return results;
  }

  /**
   * Azure answered for stored messages: each replaces the local score (or is marked failed when
   * Azure fell back); the conversation's value is computed again and published.
   */
  async applyAzure(conversationId: string, scored: readonly { messageId: string; scored: ScoredText }[]): Promise<void> {
    await this.flush();
    const events: PublishedEvent[] = [];
    for (const { messageId, scored: s } of scored) {
      const row = this.scoreRow(messageId);
      if (!row || row.conversation_id !== conversationId) continue;
      if (s.provider !== 'azure') {
        void this.deps.commits.run(() => this.deps.repo.setAzure(messageId, 'failed')).catch((err: unknown) => this.deps.logger.error({ err, messageId }, 'sentiment: could not store the Azure state'));
        continue;
      }
      events.push(...this.record(conversationId, { messageId, seq: row.seq, at: row.at }, s, 'rescore'));
    }
    this.deps.events.publishAll(events);
  }

  /** The trend for the desk: every scored patient message with its excerpt, oldest first. */
  async trend(conversationId: string, bodies: ReadonlyMap<string, string>): Promise<ConversationSentimentResponse> {
    await this.flush();
    const rows = this.deps.repo.trend(conversationId);
    const current = this.deps.repo.conversation(conversationId);
    const points: SentimentTrendPoint[] = rows.map((row) => ({
      messageId: row.message_id,
      seq: row.seq,
      at: row.at,
      excerpt: excerptOf(bodies.get(row.message_id) ?? ''),
      message: resultOf(row),
      provider: row.provider,
      conversation: { scale: row.conversation_scale, label: labelOfScale(row.conversation_scale), score: row.conversation_score, messages: row.conversation_messages },
      drop: row.drop_from === null ? null : { from: row.drop_from, to: row.conversation_scale },
    }));
    return {
      conversationId,
      current: current ? { scale: current.scale, label: labelOfScale(current.scale), score: current.score, messages: current.messages } : null,
      alertScale: this.deps.alertScale,
      points,
    };
  }

  /** The conversation's current value, for other domains (the insights dashboards). */
  current(conversationId: string): ConversationSentiment | null {
    const row = this.pendingConversations.get(conversationId) ?? this.deps.repo.conversation(conversationId);
    return row ? { scale: row.scale, label: labelOfScale(row.scale), score: row.score, messages: row.messages } : null;
  }

  private state(conversationId: string): LiveConversation {
    const cached = this.live.get(conversationId);
    if (cached) {
      // Most recently used last: the first key is the one to drop.
      this.live.delete(conversationId);
      this.live.set(conversationId, cached);
      return cached;
    }
    const stored = this.pendingConversations.get(conversationId) ?? this.deps.repo.conversation(conversationId);
    const window = this.evidenceUpTo(conversationId, Number.MAX_SAFE_INTEGER).map((r) => r.score);
    const state: LiveConversation = {
      window,
      value: stored ? { scale: stored.scale, label: labelOfScale(stored.scale), score: stored.score, messages: stored.messages } : null,
      armed: stored ? stored.alert_armed === 1 : true,
    };
    if (this.live.size >= CACHE_LIMIT) this.live.delete(this.live.keys().next().value!);
    this.live.set(conversationId, state);
    return state;
  }

  /** A message's row, pending or stored. */
  private scoreRow(messageId: string): ScoreRow | undefined {
    return this.pendingScores.get(messageId) ?? this.deps.repo.score(messageId);
  }

  /** The last 6 evidence-carrying rows up to `seq`, stored and pending, oldest first. */
  private evidenceUpTo(conversationId: string, seq: number): ScoreRow[] {
    const rows = new Map(this.deps.repo.evidenceUpTo(conversationId, seq, CONVERSATION_WINDOW).map((r) => [r.message_id, r]));
    for (const row of this.pendingScores.values()) {
      if (row.conversation_id !== conversationId || row.seq > seq) continue;
      if (row.evidence === 1) rows.set(row.message_id, row);
      else rows.delete(row.message_id);
    }
    return [...rows.values()].sort((a, b) => a.seq - b.seq).slice(-CONVERSATION_WINDOW);
  }

  /**
   * Stores one message's score and the conversation's value after it, and returns the events.
   * `new`: the newest patient message (the live window moves on). `rescore`: a stored message got a
   * better score (the values are computed again from the stored rows).
   */
  private record(conversationId: string, message: { messageId: string; seq: number; at: string }, scored: ScoredText, kind: 'new' | 'rescore'): PublishedEvent[] {
    const { result, provider } = scored;
    const state = this.state(conversationId);
    const evidence = isEvidence(result);
    const previous = state.value;
    let atMessage: ConversationSentiment;
    let existing: ScoreRow | undefined;
    if (kind === 'new') {
      if (evidence) {
        state.window.push(result.score);
        if (state.window.length > CONVERSATION_WINDOW) state.window.shift();
      }
      atMessage = evidence || !previous ? conversationValue(state.window) : previous;
      state.value = atMessage;
    } else {
      existing = this.scoreRow(message.messageId);
      const before = this.evidenceUpTo(conversationId, message.seq).map((r) => (r.message_id === message.messageId ? result.score : r.score));
      atMessage = conversationValue(before);
      // The live window: the stored evidence with this message's new score.
      state.window = this.evidenceUpTo(conversationId, Number.MAX_SAFE_INTEGER).map((r) => (r.message_id === message.messageId ? result.score : r.score));
      state.value = conversationValue(state.window);
    }
    const current = state.value;
    const dropFrom = kind === 'new' ? (previous && atMessage.scale < previous.scale ? previous.scale : null) : (existing?.drop_from ?? null);
    const alert = nextAlertState(state.armed, current.scale, this.deps.alertScale);
    state.armed = alert.armed;
    const at = this.now().toISOString();
    const row: ScoreRow = {
      message_id: message.messageId,
      conversation_id: conversationId,
      seq: message.seq,
      at: message.at,
      score: result.score,
      scale: result.scale,
      label: result.label,
      flags: JSON.stringify(result.flags),
      provider,
      evidence: evidence ? 1 : 0,
      azure: provider === 'azure' ? 'done' : this.deps.requestAzure && evidence ? 'pending' : null,
      conversation_score: atMessage.score,
      conversation_scale: atMessage.scale,
      conversation_messages: atMessage.messages,
      drop_from: dropFrom,
      scored_at: at,
    };
    this.pendingScores.set(row.message_id, row);
    this.pendingConversations.set(conversationId, {
      conversation_id: conversationId,
      score: current.score,
      scale: current.scale,
      messages: current.messages,
      last_message_id: message.messageId,
      alert_armed: state.armed ? 1 : 0,
      updated_at: at,
    });
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.flushTimer.unref();
    }

    const updated: ConversationSentimentEvent = {
      conversationId,
      messageId: message.messageId,
      message: result,
      provider,
      conversation: current,
      drop: dropFrom === null || kind === 'rescore' ? null : { from: dropFrom, to: atMessage.scale, messageId: message.messageId },
      changed: previous === null || previous.scale !== current.scale,
      at,
    };
    const events: PublishedEvent[] = [['sentiment.updated', updated]];
    if (alert.alert) events.push(['sentiment.alert', { conversationId, messageId: message.messageId, conversation: current, alertScale: this.deps.alertScale, at }]);
    return events;
  }
}

const isEvidence = (result: SentimentResult) => !result.flags.some((f) => NO_EVIDENCE.has(f));
const resultOf = (row: ScoreRow): SentimentResult => ({ label: row.label, score: row.score, scale: row.scale, flags: flagsOf(row) });
