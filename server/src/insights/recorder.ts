/**
 * Turns what happens on the bus into the event log's rows. Listeners run on the chat path, so each
 * does a map lookup and at most one append (joining the turn's group commit). Per open conversation
 * it keeps what later events need (channel, queue, owner, when it was queued and accepted, whether
 * someone answered yet); a server that restarts picks this up from the conversation's own events
 * in the log, and the conversations row for what changed since.
 *
 * A close is decided after the whole batch of events that closed it has been dispatched (a
 * microtask), because who closed it — a supervisor's force-close — is only told by an event that
 * follows the `conversation.updated` of the close in the same batch.
 */
import type { ConversationView, MessageView } from '../contracts/conversations.js';
import type { InsightEventType } from '../contracts/insights.js';
import type { RoutingEvent } from '../contracts/routing.js';
import type { ConversationsApi, StaffRemovalCause } from '../conversations/index.js';
import { listen, type ListenerRegistration } from '../platform/events.js';
import type { Logger } from '../platform/logging.js';
import type { DayOf } from './days.js';
import type { InsightEvent, InsightsRepository } from './repository.js';

interface Track {
  channel: string | null;
  queue: string | null;
  /** The agent who owns it now, else the last one who did (a transfer to a queue clears the owner). */
  owner: string | null;
  state: string;
  handedOff: boolean;
  queuedAt: number | null;
  acceptedAt: number | null;
  firstResponded: boolean;
  /** The latest sentiment scale (for the live distribution). */
  scale: number | null;
}

const WAITING = new Set(['queued', 'offered']);
const WITH_AGENT = new Set(['active', 'waiting', 'wrapup']);
const RESPONDERS = new Set(['agent', 'supervisor']);

export interface RecorderDeps {
  repo: InsightsRepository;
  conversations: Pick<ConversationsApi['core'], 'get'>;
  dayOf: DayOf;
  logger: Logger;
}

/** Extra figures and details a caller of `record` may give. */
export interface RecordData {
  value?: number | null;
  value2?: number | null;
  agentId?: string | null;
  [detail: string]: unknown;
}

interface PendingClose {
  view: ConversationView;
  previous: Track;
  forcedBy: string | null;
}

export class InsightsRecorder {
  private readonly open = new Map<string, Track>();
  private readonly closing = new Map<string, PendingClose>();
  private flushScheduled = false;

  constructor(private readonly deps: RecorderDeps) {}

  listeners(): ListenerRegistration[] {
    const name = 'insights';
    return [
      listen('conversation.message', name, ({ conversationId, message }) => this.onMessage(conversationId, message)),
      listen('conversation.queued', name, ({ conversation }) => this.onQueued(conversation)),
      listen('conversation.updated', name, ({ conversation }) => this.onUpdated(conversation)),
      listen('conversation.staff-removed', name, ({ conversationId, userId, cause }) => this.onStaffRemoved(conversationId, userId, cause)),
      listen('routing.event', name, (event) => this.onRouting(event)),
      // The sentiment module's value of the conversation, −3…+3 here, each time it changes (not every
      // message: a row per patient message would double the log's writes for the same trend).
      listen('sentiment.updated', name, (event) => {
        if (event.changed) this.record('sentiment.scored', event.conversationId, event.at, { value: event.conversation.scale - 4, label: event.conversation.label, score: event.conversation.score });
      }),
      listen('survey.answered', name, (answer) =>
        this.record('survey.answered', answer.conversationId, answer.at, { value: answer.csat, value2: answer.nps, agentId: answer.agentId, queue: answer.queue }),
      ),
    ];
  }

  /**
   * The generic entry point for other parts (sentiment scores, smart-assist ratings): a row with the
   * conversation's channel, queue and agent filled in (an explicit `agentId` or `queue` wins).
   */
  record(type: InsightEventType, conversationId: string, at: string, data: RecordData = {}): void {
    const track = this.track(conversationId);
    const { value = null, value2 = null, agentId, queue, ...details } = data;
    if (type === 'sentiment.scored' && track && typeof value === 'number') track.scale = value;
    this.append(type, conversationId, at, track, {
      value,
      value2,
      agentId: agentId === undefined ? (track?.owner ?? null) : agentId,
      queue: typeof queue === 'string' ? queue : (track?.queue ?? null),
      data: Object.keys(details).length > 0 ? details : null,
    });
  }

  /** The latest sentiment scale of an open conversation, null when none was scored. */
  scaleOf(conversationId: string): number | null {
    return this.track(conversationId)?.scale ?? null;
  }

  private append(type: InsightEventType, conversationId: string, at: string, track: Track | null, extra: Partial<InsightEvent> = {}): void {
    const event: InsightEvent = {
      type,
      conversationId,
      at,
      day: this.deps.dayOf(at),
      channel: track?.channel ?? null,
      queue: track?.queue ?? null,
      agentId: track?.owner ?? null,
      value: null,
      ...extra,
    };
    this.deps.repo.append(event).catch((err: unknown) => this.deps.logger.error({ err, type, conversationId }, 'insights: the event could not be recorded'));
  }

  /** The conversation's track: in memory, else rebuilt from its events in the log (recording its start if it has none). */
  private track(conversationId: string): Track | null {
    const known = this.open.get(conversationId);
    if (known) return known;
    const row = this.deps.conversations.get(conversationId);
    if (!row) return null;
    const track: Track = { channel: row.channel, queue: row.queue, owner: row.agent_id, state: row.state, handedOff: false, queuedAt: null, acceptedAt: null, firstResponded: false, scale: null };
    const events = this.deps.repo.eventsOf(conversationId);
    if (events.length === 0) {
      // Starts, like the bot's own ends, never carry a queue or an agent (the reports rely on it).
      this.append('conversation.started', conversationId, row.created_at, track, { queue: null, agentId: null });
    }
    for (const e of events) {
      if (e.type === 'conversation.handed-off') {
        track.handedOff = true;
        track.queuedAt = Date.parse(e.at);
      } else if (e.type === 'conversation.accepted') {
        track.acceptedAt ??= Date.parse(e.at);
        track.owner ??= e.agent_id;
      } else if (e.type === 'conversation.first-response') track.firstResponded = true;
      else if (e.type === 'sentiment.scored') track.scale = e.value;
    }
    if (row.queued_at !== null) track.queuedAt = Date.parse(row.queued_at);
    if (row.handoff !== null) track.handedOff = true;
    // A closed conversation is not kept in memory: late events (survey answers) look it up again.
    if (row.state !== 'closed') this.open.set(conversationId, track);
    return track;
  }

  private onMessage(conversationId: string, message: MessageView): void {
    const track = this.track(conversationId);
    if (!track || track.firstResponded || track.acceptedAt === null) return;
    if (message.kind !== 'text' || !RESPONDERS.has(message.sender.kind)) return;
    track.firstResponded = true;
    this.append('conversation.first-response', conversationId, message.createdAt, track, {
      agentId: track.owner ?? message.sender.id,
      value: Math.max(0, Date.parse(message.createdAt) - track.acceptedAt),
    });
  }

  private onQueued(view: ConversationView): void {
    const track = this.track(view.id);
    if (!track) return;
    track.handedOff = true;
    track.queue = view.queue;
    track.queuedAt = Date.parse(view.updatedAt);
    track.state = view.state;
    this.append('conversation.handed-off', view.id, view.updatedAt, track, { agentId: null, value: view.priority });
  }

  private onRouting(event: RoutingEvent): void {
    if (event.type !== 'offer.created') return;
    const track = this.track(event.conversationId);
    if (!track) return;
    this.append('conversation.offered', event.conversationId, new Date().toISOString(), track, { agentId: event.agentId, queue: event.queueId });
  }

  private onStaffRemoved(conversationId: string, userId: string, cause: StaffRemovalCause): void {
    const pending = this.closing.get(conversationId);
    if (pending && cause === 'force-closed') {
      pending.forcedBy = 'supervisor';
      return;
    }
    if (cause !== 'transferred' && cause !== 'reassigned') return;
    const track = this.track(conversationId);
    // Consultants and supervisors leave with the same cause; only the owner's is a transfer.
    if (!track || track.owner !== userId) return;
    const row = this.deps.conversations.get(conversationId);
    const toAgentId = row && row.agent_id !== userId ? row.agent_id : null;
    this.append('conversation.transferred', conversationId, row?.updated_at ?? new Date().toISOString(), track, {
      agentId: userId,
      data: { cause: cause === 'reassigned' ? 'reassign' : 'transfer', ...(toAgentId ? { toAgentId } : { toQueue: row?.queue ?? null }) },
    });
  }

  private onUpdated(view: ConversationView): void {
    const track = this.track(view.id);
    if (!track) return;
    const previous = { ...track };
    const at = Date.parse(view.updatedAt);
    track.state = view.state;
    track.queue = view.queue ?? track.queue;
    if (view.state === 'queued' && WITH_AGENT.has(previous.state)) track.queuedAt = at;
    if (view.state === 'active' && view.agentId && (WAITING.has(previous.state) || previous.state === 'bot')) {
      // Accepted (or given straight from the line): the wait ends.
      track.acceptedAt ??= at;
      this.append('conversation.accepted', view.id, view.updatedAt, track, {
        agentId: view.agentId,
        queue: view.queue,
        value: track.queuedAt === null ? null : Math.max(0, at - track.queuedAt),
      });
    }
    if (view.agentId) track.owner = view.agentId;
    if (view.state === 'closed' && previous.state !== 'closed') {
      this.closing.set(view.id, { view, previous, forcedBy: null });
      this.open.delete(view.id);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flushCloses());
      }
    }
  }

  private flushCloses(): void {
    this.flushScheduled = false;
    const closing = [...this.closing.values()];
    this.closing.clear();
    for (const { view, previous, forcedBy } of closing) {
      const at = Date.parse(view.updatedAt);
      const track = { ...previous, owner: view.agentId ?? previous.owner };
      if (WAITING.has(previous.state)) {
        this.append('conversation.abandoned', view.id, view.updatedAt, track, { agentId: null, value: previous.queuedAt === null ? null : Math.max(0, at - previous.queuedAt) });
      } else if (!previous.handedOff) {
        this.append('conversation.bot-contained', view.id, view.updatedAt, track, { queue: null, agentId: null });
      } else if (previous.acceptedAt !== null) {
        const by = forcedBy ?? (view.wrapup ? 'agent' : 'patient');
        this.append('conversation.closed', view.id, view.updatedAt, track, {
          value: Math.max(0, at - previous.acceptedAt),
          data: { by, disposition: view.wrapup?.disposition ?? null },
        });
      }
    }
  }
}
