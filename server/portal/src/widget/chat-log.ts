/**
 * What the widget holds of one conversation: the messages by sequence number (so a resync or a
 * reconnect never shows one twice), the patient's own messages not yet acknowledged (resent with the
 * same client id after a reconnect: the server answers a resend with the stored seq), and the other
 * side's delivered/read receipts. Pure; DOM-free.
 */
import type { MessageView } from '../../../src/contracts/conversations.js';

export interface PendingMessage {
  clientMessageId: string;
  body: string;
  /** A card's submitted inputs or a suggested action's value: answers the bot's prompt (`body` is what the transcript shows). */
  value?: string | Record<string, unknown>;
  /** `failed`: the server refused it (not retried); `sending`: waiting for an ack (retried on reconnect). */
  state: 'sending' | 'failed';
  error?: string;
}

export type OwnMessageStatus = 'sending' | 'failed' | 'sent' | 'delivered' | 'read';

export class ChatLog {
  private readonly bySeq = new Map<number, MessageView>();
  private pendingById = new Map<string, PendingMessage>();
  private othersDelivered = 0;
  private othersRead = 0;
  /** The highest seq held: `conversation:sync` continues after it. */
  lastSeq = 0;

  constructor(
    /** The patient's or visitor's user id: their messages are "own". */
    readonly selfId: string,
    private readonly selfKind: 'patient' | 'visitor',
    pending: readonly PendingMessage[] = [],
  ) {
    for (const p of pending) this.pendingById.set(p.clientMessageId, { ...p });
  }

  /** Adds a message from the server; false if it was already held. */
  add(message: MessageView): boolean {
    if (this.bySeq.has(message.seq)) return false;
    this.bySeq.set(message.seq, message);
    if (message.seq > this.lastSeq) this.lastSeq = message.seq;
    if (message.sender.id === this.selfId && message.clientMessageId !== null) this.pendingById.delete(message.clientMessageId);
    return true;
  }

  /** Queues an own message; it shows at once as "Sending…". */
  queue(clientMessageId: string, body: string, value?: string | Record<string, unknown>): PendingMessage {
    const pending: PendingMessage = { clientMessageId, body, state: 'sending', ...(value !== undefined ? { value } : {}) };
    this.pendingById.set(clientMessageId, pending);
    return pending;
  }

  /**
   * The server stored the message as `seq`. The ack usually comes before the `message:new` echo;
   * the pending entry becomes a stored message either way, once.
   */
  acknowledged(clientMessageId: string, message: { seq: number; messageId: string; createdAt?: string }): void {
    const pending = this.pendingById.get(clientMessageId);
    if (!pending) return;
    this.pendingById.delete(clientMessageId);
    if (this.bySeq.has(message.seq)) return;
    this.add({
      id: message.messageId,
      conversationId: '',
      seq: message.seq,
      clientMessageId,
      sender: { kind: this.selfKind, id: this.selfId },
      kind: 'text',
      body: pending.body,
      createdAt: message.createdAt ?? new Date().toISOString(),
      ...(pending.value !== undefined ? { bot: { value: pending.value } } : {}),
    });
  }

  /** The server refused the message (bad, forbidden, conflict): shown as failed, never resent. */
  refused(clientMessageId: string, error: string): void {
    const pending = this.pendingById.get(clientMessageId);
    if (pending) {
      pending.state = 'failed';
      pending.error = error;
    }
  }

  /** Messages to (re)send after a (re)connect, oldest first. */
  unacknowledged(): PendingMessage[] {
    return [...this.pendingById.values()].filter((p) => p.state === 'sending');
  }

  pending(): PendingMessage[] {
    return [...this.pendingById.values()];
  }

  dismiss(clientMessageId: string): void {
    this.pendingById.delete(clientMessageId);
  }

  messages(): MessageView[] {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /** The newest message someone else wrote (bot, agent, system), for delivered/read receipts. */
  lastFromOthers(): MessageView | undefined {
    let last: MessageView | undefined;
    for (const m of this.bySeq.values()) if (m.sender.id !== this.selfId && (!last || m.seq > last.seq)) last = m;
    return last;
  }

  /** A receipt from someone else (the agent's desk): moves own messages to delivered/read. */
  receipt(userId: string, kind: 'delivered' | 'read', seq: number): void {
    if (userId === this.selfId) return;
    if (kind === 'read') this.othersRead = Math.max(this.othersRead, seq);
    this.othersDelivered = Math.max(this.othersDelivered, seq);
  }

  statusOf(message: MessageView): OwnMessageStatus {
    if (message.seq <= this.othersRead) return 'read';
    if (message.seq <= this.othersDelivered) return 'delivered';
    return 'sent';
  }
}
