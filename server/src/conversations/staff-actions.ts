/**
 * What staff do in a conversation besides writing: open it (an audited read), transfer it to an
 * agent or a queue, invite a consultant and add them, leave, hand it back to the bot, wrap it up and
 * close it with a disposition. Every action is checked against the policy, stored in one
 * transaction with its chat lines, audited, and published as one batch of events.
 */
import type { MessageView } from '../contracts/conversations.js';
import type { Actor } from '../platform/auth/actor.js';
import { badRequest, conflict, forbidden } from '../platform/errors.js';
import type { PublishedEvent } from '../platform/events.js';
import type { RequestOrigin } from '../platform/audit/batch.js';
import { staffRecipient, type ConversationCore } from './core.js';
import type { ConversationRow } from './repository.js';
import { canTransition } from './model.js';
import { requireOwner, requireOwnerOrSupervisor, requireSupervisor, WITH_AN_AGENT } from './policy.js';

/**
 * Asked before the agent wraps up or closes a conversation; throws an `AppError` to refuse (the agent
 * scripts' required steps: `script_incomplete`). Given by the composition root, so this domain knows
 * no module that guards.
 */
export type CloseGuard = (conversationId: string, action: 'wrapup' | 'close') => void;

export class StaffActions {
  constructor(
    private readonly core: ConversationCore,
    private readonly closeGuards: readonly CloseGuard[] = [],
  ) {}

  /**
   * Open conversations the staff member takes part in (their desk gets them and their live messages):
   * a disclosure of each, once; `audited` resolves when the rows are durable.
   */
  inbox(actor: Actor, origin: RequestOrigin | null = null): { rows: ConversationRow[]; audited: Promise<void> } {
    const rows = this.core.repo.staffInbox(actor.userId);
    const audited = Promise.all(rows.map((row) => this.core.disclose(staffRecipient(actor), row, 'inbox.list', origin))).then(() => {});
    return { rows, audited };
  }

  /**
   * A staff participant opens the conversation in the desk (and gets its live messages): a
   * disclosure, once; anyone else is refused, and the refusal is audited.
   */
  joinRoom(actor: Actor, conversationId: string, origin: RequestOrigin | null = null): { row: ConversationRow; audited: Promise<void> } {
    const row = this.core.require(conversationId);
    this.core.readerKind(actor, row, 'conversation.join', origin);
    return { row, audited: this.core.disclose(staffRecipient(actor), row, 'conversation.join', origin) };
  }

  /** The agent gives the conversation back to the bot: the bot is un-muted and owns it again. */
  handBackToBot(conversationId: string, byUserId: string): ConversationRow {
    const { repo } = this.core;
    const row = this.core.require(conversationId);
    const participant = repo.participant(row.id, byUserId);
    if (!participant || participant.left_at !== null || participant.kind !== 'agent') {
      throw forbidden('Only the assigned agent can hand the chat back.');
    }
    if (!canTransition(row.state, 'bot')) throw conflict(`A conversation in state ${row.state} cannot go back to the bot.`);
    const staff = this.core.activeStaff(row.id);
    return this.core.transition(
      row,
      'bot',
      'The chat is back with the Carebridge assistant.',
      (at) => {
        repo.setMuted(row.id, 'bot', false);
        repo.setOwner(row.id, null, null, at);
        for (const p of staff) repo.leave(row.id, p.user_id, at);
      },
      () => this.core.removedEvents(row.id, staff.map((p) => p.user_id), 'handed-back'),
    );
  }

  /** Refuses (not_found, forbidden, conflict) a transfer or reassignment the actor may not make now; checks nothing about the target. */
  authorizeTransfer(actor: Actor, conversationId: string, cause: 'transfer' | 'reassign'): ConversationRow {
    const row = this.core.require(conversationId);
    if (cause === 'reassign') {
      requireSupervisor(actor);
      // A supervisor may also give a chat still waiting in line (or being offered) to an agent.
      if (row.state !== 'queued' && row.state !== 'offered') requireWithAgent(row, 'reassigned');
    } else {
      requireOwnerOrSupervisor(actor, row);
      requireWithAgent(row, 'transferred');
    }
    return row;
  }

  /**
   * The conversation's agent (or a supervisor) gives it to another agent, who has it at once: the
   * previous agent leaves, the patient reads who they chat with now. `reassign` is the supervisor's.
   */
  transferToAgent(
    actor: Actor,
    conversationId: string,
    toAgentId: string,
    options: { cause: 'transfer' | 'reassign'; note?: string | undefined },
  ): { conversation: ConversationRow; fromAgentId: string | null } {
    const { repo } = this.core;
    const row = this.authorizeTransfer(actor, conversationId, options.cause);
    if (row.agent_id === toAgentId) throw conflict('The conversation is already with that agent.');
    const fromAgentId = row.agent_id;
    const name = this.core.displayNameOf(toAgentId) ?? null;
    const note = options.note?.trim() ? options.note.trim() : null;
    const at = this.core.stamp();
    const messages = this.core.inTransaction(() => {
      if (!repo.setState(row.id, row.state, 'active', at)) throw conflict('The conversation changed meanwhile.');
      repo.setOwner(row.id, toAgentId, null, at);
      // A chat given straight from the line: the bot stops answering, as when an agent accepts.
      repo.setMuted(row.id, 'bot', true);
      if (fromAgentId !== null) repo.leave(row.id, fromAgentId, at);
      repo.addParticipant({ conversationId: row.id, userId: toAgentId, kind: 'agent', displayName: name, at });
      const stored = [this.core.appendSystem(row.id, `You are now chatting with ${name ?? 'another member of our team'}.`, at)];
      const verb = options.cause === 'reassign' ? 'Reassigned' : 'Transferred';
      if (note !== null) stored.push(this.core.appendStaffNote(row.id, `${verb} by ${this.core.nameOf(actor)}: ${note}`, at));
      return stored;
    });
    const updated = repo.get(row.id)!;
    this.core.auditAction(actor, updated, `conversation.${options.cause}`, { fromAgentId, toAgentId });
    // The new agent's desks get the conversation and its live messages.
    this.core.discloseInBackground(this.core.recipient(toAgentId), updated, `conversation.${options.cause}`, null, { byUserId: actor.userId });
    const view = this.core.view(updated, 'staff');
    this.core.publishAll([
      ['conversation.participant-joined', { conversationId: row.id, userId: toAgentId, kind: 'agent' }],
      ...(fromAgentId !== null ? this.core.removedEvents(row.id, [fromAgentId], options.cause === 'reassign' ? 'reassigned' : 'transferred') : []),
      ['conversation.updated', { conversation: view }],
      ...messages.map((message): PublishedEvent => ['conversation.message', { message, conversationId: row.id }]),
      ['conversation.staff-assigned', { conversation: view, userId: toAgentId, byUserId: actor.userId, cause: options.cause, note }],
    ]);
    return { conversation: updated, fromAgentId };
  }

  /**
   * Back in line in a queue (same priority): the agent leaves, the patient reads that they wait for
   * the next person. The caller (routing glue) checks the queue exists and enqueues it.
   */
  transferToQueue(
    actor: Actor,
    conversationId: string,
    target: { queueId: string; queueName: string; skills: readonly string[]; note?: string | undefined },
  ): { conversation: ConversationRow; fromAgentId: string | null } {
    const { repo } = this.core;
    const row = this.authorizeTransfer(actor, conversationId, 'transfer');
    const fromAgentId = row.agent_id;
    const staff = this.core.activeStaff(row.id);
    const note = target.note?.trim() ? target.note.trim() : null;
    let noteMessage: MessageView | null = null;
    const updated = this.core.transition(
      row,
      'queued',
      `You are being transferred to ${target.queueName}. Please wait for the next person.`,
      (at) => {
        repo.setQueue(row.id, target.queueId, target.skills, at);
        repo.setOwner(row.id, null, null, at);
        for (const p of staff) repo.leave(row.id, p.user_id, at);
        if (note !== null) noteMessage = this.core.appendStaffNote(row.id, `Transferred to ${target.queueName} by ${this.core.nameOf(actor)}: ${note}`, at);
      },
      () => [
        ...(noteMessage ? [['conversation.message', { message: noteMessage, conversationId: row.id }] as PublishedEvent] : []),
        ...this.core.removedEvents(row.id, staff.map((p) => p.user_id), 'transferred'),
      ],
    );
    this.core.auditAction(actor, updated, 'conversation.transfer', { fromAgentId, toQueueId: target.queueId });
    return { conversation: updated, fromAgentId };
  }

  /**
   * Routing took the conversation from an agent who stopped responding or went offline: it is back in
   * line (routing already put it there), the agent leaves. A conversation in wrap-up stays as it is.
   */
  requeueFromAgent(conversationId: string, fromAgentId: string): ConversationRow | undefined {
    const { repo } = this.core;
    const row = repo.get(conversationId);
    if (!row || !WITH_AN_AGENT.has(row.state) || row.agent_id !== fromAgentId) return undefined;
    const staff = this.core.activeStaff(row.id);
    return this.core.transition(
      row,
      'queued',
      'Your agent is no longer available. You are back in line for the next person.',
      (at) => {
        repo.setOwner(row.id, null, null, at);
        for (const p of staff) repo.leave(row.id, p.user_id, at);
      },
      () => this.core.removedEvents(row.id, staff.map((p) => p.user_id), 'requeued'),
    );
  }

  /** The agent invites a colleague to consult: they read everything, notes included, and write notes only. */
  consult(actor: Actor, conversationId: string, agentId: string, note?: string): ConversationRow {
    const { repo } = this.core;
    const row = this.core.require(conversationId);
    requireOwner(actor, row, 'invite a consultant');
    requireWithAgent(row, 'consulted on');
    if (agentId === actor.userId) throw conflict('You cannot consult yourself.');
    const existing = repo.participant(row.id, agentId);
    if (existing && existing.left_at === null) throw conflict('That colleague is already in the conversation.');
    const name = this.core.displayNameOf(agentId) ?? null;
    const text = note?.trim() ? note.trim() : null;
    const at = this.core.stamp();
    const message = this.core.inTransaction(() => {
      repo.addParticipant({ conversationId: row.id, userId: agentId, kind: 'consultant', displayName: name, at });
      return this.core.appendStaffNote(row.id, `${this.core.nameOf(actor)} asked ${name ?? agentId} to consult${text ? `: ${text}` : '.'}`, at);
    });
    const updated = repo.get(row.id)!;
    this.core.auditAction(actor, updated, 'conversation.consult', { consultantId: agentId });
    // The consultant reads everything from now on, notes included.
    this.core.discloseInBackground(this.core.recipient(agentId), updated, 'conversation.consult', null, { byUserId: actor.userId });
    const view = this.core.view(updated, 'staff');
    this.core.publishAll([
      ['conversation.participant-joined', { conversationId: row.id, userId: agentId, kind: 'consultant' }],
      ['conversation.updated', { conversation: view }],
      ['conversation.message', { message, conversationId: row.id }],
      ['conversation.staff-assigned', { conversation: view, userId: agentId, byUserId: actor.userId, cause: 'consult', note: text }],
    ]);
    return updated;
  }

  /** The agent adds the consultant to the conversation: a second agent, who may now write to the patient. */
  consultAdd(actor: Actor, conversationId: string, agentId: string): ConversationRow {
    const { repo } = this.core;
    const row = this.core.require(conversationId);
    requireOwner(actor, row, 'add a consultant');
    requireWithAgent(row, 'changed');
    const consultant = repo.participant(row.id, agentId);
    if (!consultant || consultant.left_at !== null || consultant.kind !== 'consultant') {
      throw conflict('That colleague is not consulting on this conversation.');
    }
    const name = consultant.display_name;
    const at = this.core.stamp();
    const message = this.core.inTransaction(() => {
      repo.addParticipant({ conversationId: row.id, userId: agentId, kind: 'agent', displayName: name, at });
      repo.touch(row.id, at);
      return this.core.appendSystem(row.id, `${name ?? 'Another member of our team'} joined the chat.`, at);
    });
    const updated = repo.get(row.id)!;
    this.core.auditAction(actor, updated, 'conversation.consult-add', { agentId });
    this.core.publishAll([
      ['conversation.updated', { conversation: this.core.view(updated, 'staff') }],
      ['conversation.message', { message, conversationId: row.id }],
    ]);
    return updated;
  }

  /** A consultant, a second agent or a joined supervisor leaves; the owning agent transfers or wraps up instead. */
  leave(actor: Actor, conversationId: string): void {
    const { repo } = this.core;
    const row = this.core.require(conversationId);
    const kind = this.core.membership(row, actor);
    if (row.agent_id === actor.userId) {
      throw conflict('The conversation is yours: transfer it or wrap it up instead of leaving.');
    }
    const who = kind === 'supervisor' ? 'The supervisor' : (repo.participant(row.id, actor.userId)?.display_name ?? 'A member of our team');
    const at = this.core.stamp();
    const message = this.core.inTransaction(() => {
      repo.leave(row.id, actor.userId, at);
      repo.touch(row.id, at);
      // A consultant was never visible to the patient: only staff read that they left.
      return kind === 'consultant' ? this.core.appendStaffNote(row.id, `${this.core.nameOf(actor)} stopped consulting.`, at) : this.core.appendSystem(row.id, `${who} left the chat.`, at);
    });
    const updated = repo.get(row.id)!;
    this.core.auditAction(actor, updated, 'conversation.leave', { as: kind });
    this.core.publishAll([
      ...this.core.removedEvents(row.id, [actor.userId], 'left'),
      ['conversation.updated', { conversation: this.core.view(updated, 'staff') }],
      ['conversation.message', { message, conversationId: row.id }],
    ]);
  }

  /** The agent ends the chat for the patient: wrap-up (the patient can no longer write; a survey may follow). */
  wrapup(actor: Actor, conversationId: string): ConversationRow {
    const row = this.core.require(conversationId);
    requireOwner(actor, row, 'wrap it up');
    requireWithAgent(row, 'wrapped up');
    for (const guard of this.closeGuards) guard(row.id, 'wrapup');
    const updated = this.core.transition(row, 'wrapup', 'The agent ended the chat. Thank you for contacting us.');
    this.core.auditAction(actor, updated, 'conversation.wrapup', {});
    return updated;
  }

  /**
   * The agent closes the conversation, after wrap-up or directly, with a disposition code (required
   * when the settings say so) and notes. Routing frees the agent (on `conversation.updated`).
   */
  close(actor: Actor, input: { conversationId: string; disposition?: string | undefined; notes?: string | undefined }): ConversationRow {
    const { repo } = this.core;
    const row = this.core.require(input.conversationId);
    requireOwner(actor, row, 'close it');
    // The patient may have ended the chat first: the agent still records the wrap-up, once.
    const alreadyClosed = row.state === 'closed' && repo.wrapup(row.id) === undefined;
    if (!WITH_AN_AGENT.has(row.state) && row.state !== 'wrapup' && !alreadyClosed) {
      throw conflict(`A conversation in state ${row.state} cannot be closed by its agent.`);
    }
    const { dispositions, requireDisposition } = this.core.settings;
    if (input.disposition === undefined && requireDisposition) {
      throw badRequest(`A disposition is required: one of ${dispositions.map((d) => d.code).join(', ')}.`);
    }
    if (input.disposition !== undefined && !dispositions.some((d) => d.code === input.disposition)) {
      throw badRequest(`Unknown disposition "${input.disposition}": use one of ${dispositions.map((d) => d.code).join(', ')}.`);
    }
    // A chat the patient ended is over: its wrap-up is still recorded, whatever is left to do.
    if (!alreadyClosed) for (const guard of this.closeGuards) guard(row.id, 'close');
    const notes = input.notes?.trim() ? input.notes.trim() : null;
    const save = (at: string) => repo.saveWrapup({ conversationId: row.id, disposition: input.disposition ?? null, notes, byUserId: actor.userId, at });
    if (alreadyClosed) {
      this.core.inTransaction(() => {
        const at = this.core.stamp();
        save(at);
        repo.touch(row.id, at);
      });
      const updated = repo.get(row.id)!;
      this.core.auditAction(actor, updated, 'conversation.close', { disposition: input.disposition ?? null });
      this.core.publishAll([['conversation.updated', { conversation: this.core.view(updated, 'staff') }]]);
      return updated;
    }
    const updated = this.core.transition(row, 'closed', 'This conversation is closed.', save);
    this.core.auditAction(actor, updated, 'conversation.close', { disposition: input.disposition ?? null });
    return updated;
  }
}

function requireWithAgent(row: ConversationRow, what: string): void {
  if (!WITH_AN_AGENT.has(row.state)) throw conflict(`A conversation in state ${row.state} cannot be ${what}.`);
}
