/**
 * Conversation history for staff: the list (mine, the queues I serve, everyone's for supervisors),
 * filtered and searched over transcripts, and one conversation read back whole, read-only, with its
 * wrap-up. Who may read a conversation here: supervisors and admins any; an agent the conversations
 * they took part in (also those they left or transferred) and those of the queues they serve.
 * Every conversation shown is a `phi.read` audit row (names and passages are PHI), written before
 * the answer leaves; a refused read is audited as denied.
 */
import type { Kysely } from 'kysely';
import type { HistoryConversationResponse, HistoryItem, HistoryListResponse, HistoryQuery, SnippetPart } from '../contracts/history.js';
import type { ConversationView } from '../contracts/conversations.js';
import type { AuditEntry } from '../platform/audit/audit.js';
import type { AuditBatch, RequestOrigin } from '../platform/audit/batch.js';
import type { Actor } from '../platform/auth/actor.js';
import type { Database } from '../platform/db/schema.js';
import { badRequest, forbidden } from '../platform/errors.js';
import type { ConversationCore } from './core.js';
import { HistoryRepository, type HistoryFilter } from './history-repository.js';
import { snippetParts } from '../platform/db/fts-snippet.js';
import { isSupervisor } from './policy.js';
import { toMessageView } from './presenters.js';
import type { ConversationRow } from './repository.js';

const HISTORY_ROLES = new Set(['agent', 'supervisor', 'admin']);
const MAX_WORDS = 8;
const PAGE = 500;

export interface ConversationHistoryDeps {
  db: Kysely<Database>;
  core: ConversationCore;
  auditBatch: AuditBatch;
  /** The queues whose skills this agent has ("my queues"). */
  queuesServedBy(userId: string): string[];
  /** A disposition code's label in today's settings (the code itself when it was removed since). */
  dispositionLabel(code: string): string;
}

export class ConversationHistory {
  private readonly repo: HistoryRepository;

  constructor(private readonly deps: ConversationHistoryDeps) {
    this.repo = new HistoryRepository(deps.db);
  }

  async list(actor: Actor, query: HistoryQuery, origin: RequestOrigin | null): Promise<HistoryListResponse> {
    requireHistoryReader(actor);
    if (query.scope === 'all' && !isSupervisor(actor)) throw forbidden("Only supervisors and admins can list everyone's conversations.");
    const words = searchWords(query.q);
    const phrase = query.q?.trim() ?? '';
    if (query.q !== undefined && words.length === 0) throw badRequest('Search for at least one word (letters or digits).');
    const filter: HistoryFilter = {
      state: query.state,
      queue: query.queue,
      agentId: query.agentId,
      disposition: query.disposition,
      from: query.from ? `${query.from}T00:00:00.000Z` : undefined,
      until: query.to ? nextDay(query.to) : undefined,
      words,
      ...(phrase.length >= 2 ? { phrase } : {}),
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: query.limit + 1,
    };
    if (query.scope === 'mine') filter.participant = actor.userId;
    if (query.scope === 'team') filter.queues = this.deps.queuesServedBy(actor.userId);
    const rows = await this.repo.list(filter);
    const page = rows.slice(0, query.limit);
    const items: HistoryItem[] = await Promise.all(
      page.map(async (row) => ({
        id: row.id,
        channel: row.channel as HistoryItem['channel'],
        state: row.state as HistoryItem['state'],
        queue: row.queue,
        patientName: row.patient_name ?? row.visitor_name ?? (row.patient_id ? 'Patient' : 'Visitor'),
        verified: row.patient_id !== null,
        agentId: row.agent_id,
        agentName: row.agent_id ? (this.deps.core.displayNameOf(row.agent_id) ?? null) : null,
        createdAt: row.created_at,
        closedAt: row.closed_at,
        disposition: row.disposition ? { code: row.disposition, label: this.deps.dispositionLabel(row.disposition) } : null,
        snippet: words.length > 0 ? passageParts(await this.repo.snippet(row.id, words)) : null,
      })),
    );
    await this.deps.auditBatch.record(
      page.map((row) => this.readEntry(actor, row, origin, { purpose: 'conversation.history.list', searched: words.length > 0 })),
    );
    const last = page.at(-1);
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at, last.id) : null };
  }

  /** One conversation, whole and read-only: transcript with notes, everyone who took part, the wrap-up. */
  async read(actor: Actor, conversationId: string, origin: RequestOrigin | null): Promise<HistoryConversationResponse> {
    requireHistoryReader(actor);
    const { core } = this.deps;
    const row = core.require(conversationId);
    if (!this.mayRead(actor, row)) {
      const message = 'You did not take part in this conversation and it is not in a queue you serve.';
      core.auditDenied(actor, row, 'conversation.history.read', origin, message);
      throw forbidden(message);
    }
    const participants = core.repo.participants(row.id);
    const messages = [];
    for (let after = 0; ; ) {
      const batch = core.repo.messagesAfter(row.id, after, PAGE, { includeNotes: true });
      messages.push(...batch.map(toMessageView));
      if (batch.length < PAGE) break;
      after = batch.at(-1)!.seq;
    }
    const wrapup = core.repo.wrapup(row.id);
    const conversation: ConversationView = core.view(row, 'staff');
    const patient = participants.find((p) => p.kind === 'patient' || p.kind === 'visitor');
    await this.deps.auditBatch.record([this.readEntry(actor, row, origin, { purpose: 'conversation.history.read', messages: messages.length })]);
    return {
      conversation,
      patientName: patient?.display_name ?? row.visitor_name ?? (row.patient_id ? 'Patient' : 'Visitor'),
      participants: participants.map((p) => ({ userId: p.user_id, kind: p.kind as HistoryConversationResponse['participants'][number]['kind'], displayName: p.display_name, joinedAt: p.joined_at, leftAt: p.left_at })),
      messages,
      wrapup: wrapup
        ? {
            disposition: wrapup.disposition,
            notes: wrapup.notes,
            byUserId: wrapup.by_user_id,
            at: wrapup.at,
            dispositionLabel: wrapup.disposition ? this.deps.dispositionLabel(wrapup.disposition) : null,
            byName: core.displayNameOf(wrapup.by_user_id) ?? null,
          }
        : null,
    };
  }

  /**
   * A patient's conversations, newest first, for patient 360: those the patient had signed in and those
   * an agent verified as this patient (`conversation_identity`), with the wrap-up's disposition and notes.
   * The caller has checked access to the patient and audits the read with the rest of the record.
   */
  async ofPatient(patientId: string, limit: number, exceptConversationId: string | null) {
    let query = this.deps.db
      .selectFrom('conversations as c')
      .leftJoin('conversation_wrapups as w', 'w.conversation_id', 'c.id')
      .select(['c.id', 'c.channel', 'c.created_at', 'c.closed_at', 'c.queue', 'c.agent_id', 'w.disposition', 'w.notes'])
      .where((eb) =>
        eb.or([
          eb('c.patient_id', '=', patientId),
          eb('c.id', 'in', eb.selectFrom('conversation_identity as i').select('i.conversation_id').where('i.patient_id', '=', patientId).where('i.verified_at', 'is not', null)),
        ]),
      )
      .orderBy('c.created_at', 'desc')
      .limit(limit);
    if (exceptConversationId) query = query.where('c.id', '!=', exceptConversationId);
    return query.execute();
  }

  /**
   * The most recently closed conversations with a wrap-up, newest first (smart assist learns from
   * them): disposition, notes, queue and the bot's hand-off. Not for display: callers show none of it
   * without `canRead`.
   */
  async recentResolved(limit: number) {
    return this.deps.db
      .selectFrom('conversations as c')
      .innerJoin('conversation_wrapups as w', 'w.conversation_id', 'c.id')
      .select(['c.id', 'c.closed_at', 'c.queue', 'c.handoff', 'w.disposition', 'w.notes'])
      .where('c.state', '=', 'closed')
      .orderBy('c.closed_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** Whether this staff member may read the conversation in history (other domains ask before showing what belongs to it). */
  canRead(actor: Actor, conversationId: string): boolean {
    const row = this.deps.core.repo.get(conversationId);
    return row !== undefined && HISTORY_ROLES.has(actor.kind === 'staff' ? actor.role : '') && this.mayRead(actor, row);
  }

  private mayRead(actor: Actor, row: ConversationRow): boolean {
    if (actor.kind !== 'staff') return false;
    if (isSupervisor(actor)) return true;
    if (row.agent_id === actor.userId) return true;
    if (this.deps.core.repo.participants(row.id).some((p) => p.user_id === actor.userId)) return true;
    return row.queue !== null && this.deps.queuesServedBy(actor.userId).includes(row.queue);
  }

  private readEntry(actor: Actor, row: Pick<ConversationRow, 'id' | 'patient_id'>, origin: RequestOrigin | null, details: Record<string, unknown>): AuditEntry {
    return {
      actorId: actor.userId,
      actorRole: actor.kind === 'staff' ? actor.role : actor.kind,
      action: 'phi.read',
      resourceType: 'Conversation',
      resourceId: row.id,
      patientId: row.patient_id,
      reason: 'conversation history',
      ip: origin?.ip ?? null,
      requestId: origin?.requestId ?? null,
      details,
    };
  }
}

function requireHistoryReader(actor: Actor): void {
  if (actor.kind !== 'staff' || !HISTORY_ROLES.has(actor.role)) throw forbidden('Conversation history is for agents, supervisors and admins.');
}

/** The words of a search, lower-cased, at most eight. */
export function searchWords(q: string | undefined): string[] {
  if (q === undefined) return [];
  return [...new Set(q.toLocaleLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, MAX_WORDS);
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return { createdAt: value[0], id: value[1] };
  } catch {
    // fall through
  }
  throw badRequest('The cursor is not valid: start again from the first page.');
}

const passageParts = (passage: string | null): SnippetPart[] | null => (passage === null ? null : snippetParts(passage));
