/**
 * One patient's or visitor's chat: the /patient socket, the REST calls beside it, and the state the
 * panel shows. No DOM here beyond fetch and timers, so the panel is a view of this state.
 *
 * Reconnects: socket.io reconnects by itself; on every connect the session resyncs from the last
 * seq it holds (`conversation:sync`, page by page), then resends messages not yet acknowledged with
 * their original client ids (the server answers a resend with the stored seq, so nothing doubles).
 */
import { io, type Socket } from 'socket.io-client';
import type {
  AttachmentView,
  ConversationAck,
  ConversationChannel,
  ConversationView,
  MessageView,
  PrechatAnswers,
  QueuePositionEvent,
  ReceiptEvent,
  TypingEvent,
  VisitorTokenResponse,
} from '../../../src/contracts/conversations.js';
import type { SurveyAnswers, SurveyOffer } from '../../../src/contracts/surveys.js';
import type { Availability, OfflineMessageRequest, OfflineMessageResponse, WidgetConfig } from '../../../src/contracts/widget.js';
import type { SessionEndedEvent } from '../../../src/contracts/realtime.js';
import { ChatLog } from './chat-log.js';
import { attachmentProblem } from './limits.js';
import { newClientMessageId, type ChatStore } from './storage.js';
import type { Strings } from './strings.js';

export type Identity =
  | { kind: 'visitor' }
  | {
      kind: 'patient';
      userId: string;
      /** A current access token (the portal refreshes it when needed). */
      getToken(): Promise<string>;
      /** The server ended every session of the account (`session:ended`): the portal signs out with `message`. */
      onSessionEnded?(message: string): void;
    };

export interface ChatSessionOptions {
  /** The Carebridge server's origin, e.g. `https://carebridge.example.org`. */
  serverOrigin: string;
  channel: ConversationChannel;
  identity: Identity;
  store: ChatStore;
  strings: Strings;
}

export type ChatPhase = 'new' | 'starting' | 'chat' | 'ended';

export interface ChatState {
  phase: ChatPhase;
  connection: 'idle' | 'connecting' | 'online' | 'reconnecting';
  conversation: ConversationView | null;
  queue: QueuePositionEvent | null;
  /** Someone else is typing: the bot or a person. */
  typing: 'bot' | 'person' | null;
  /** A problem the patient should read (shown as an alert). */
  notice: string | null;
  /** Uploads in progress, by file name. */
  uploads: string[];
  survey: SurveyOffer | null;
  surveyState: 'none' | 'open' | 'sending' | 'done' | 'dismissed';
}

const ACK_TIMEOUT_MS = 10_000;
const TYPING_REPEAT_MS = 3_000;
const TYPING_IDLE_MS = 4_000;
const TYPING_SHOWN_MS = 6_000;
/** The server's refusal for an expired or forged chat token (contracts PATIENT_REALTIME_AUTH_ERRORS.invalidToken). */
const INVALID_TOKEN_HINT = 'invalid or has expired';

type Ack<T> = ConversationAck<T>;

/** Before a chat starts, and again after `reset()`. */
function emptyChatState(): ChatState {
  return {
    phase: 'new',
    connection: 'idle',
    conversation: null,
    queue: null,
    typing: null,
    notice: null,
    uploads: [],
    survey: null,
    surveyState: 'none',
  };
}

export class ChatSession {
  readonly state: ChatState = emptyChatState();
  log: ChatLog | null = null;
  private socket: Socket | null = null;
  private visitorToken: string | null = null;
  private readonly inFlight = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private typingSentAt = 0;
  private typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
  private typingShownTimer: ReturnType<typeof setTimeout> | undefined;
  private readSeq = 0;
  private deliveredSeq = 0;
  private syncing: Promise<void> | null = null;

  constructor(private readonly options: ChatSessionOptions) {}

  get conversationId(): string | null {
    return this.state.conversation?.id ?? null;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private get t(): Strings {
    return this.options.strings;
  }

  private token(): Promise<string> {
    const { identity } = this.options;
    if (identity.kind === 'patient') return identity.getToken();
    return this.visitorToken ? Promise.resolve(this.visitorToken) : Promise.reject(new Error('no visitor token'));
  }

  // --- starting and resuming ---

  /** Picks up the chat this tab had before a reload; false when there is none. */
  resume(): boolean {
    const saved = this.options.store.load();
    const { identity } = this.options;
    if (!saved) return false;
    const mine = identity.kind === 'patient' ? saved.selfKind === 'patient' && saved.selfId === identity.userId : saved.selfKind === 'visitor' && !!saved.visitorToken;
    if (!mine) {
      this.options.store.clear();
      return false;
    }
    this.visitorToken = saved.visitorToken ?? null;
    this.log = new ChatLog(saved.selfId, saved.selfKind, saved.pending);
    this.state.conversation = placeholderConversation(saved.conversationId, this.options.channel);
    this.state.phase = 'chat';
    if (saved.survey) {
      this.state.survey = saved.survey;
      this.state.surveyState = 'open';
    }
    this.connect();
    this.changed();
    return true;
  }

  /** Starts a new chat: a visitor gives a name first; a signed-in patient needs none. The pre-chat answers reach staff. */
  async start(displayName?: string, prechat?: PrechatAnswers): Promise<void> {
    if (this.state.phase === 'starting') return;
    this.reset();
    this.state.phase = 'starting';
    this.state.notice = null;
    this.changed();
    try {
      const { identity } = this.options;
      let selfId: string;
      if (identity.kind === 'visitor') {
        const res = await this.request('POST', '/api/chat/visitor', { json: { displayName: (displayName ?? '').trim() } }, false);
        const body = (await res.json()) as VisitorTokenResponse;
        this.visitorToken = body.token;
        selfId = body.visitorId;
      } else {
        selfId = identity.userId;
      }
      this.log = new ChatLog(selfId, identity.kind);
      const socket = this.connect();
      await new Promise<void>((resolve, reject) => {
        if (socket.connected) return resolve();
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err: Error) => reject(err));
      });
      const hasAnswers = prechat !== undefined && Object.keys(prechat).length > 0;
      const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('conversation:start', { channel: this.options.channel, ...(hasAnswers ? { prechat } : {}) })) as Ack<{
        conversation: ConversationView;
        messages: MessageView[];
      }>;
      // Refused (e.g. an answer the server does not take): say why; the form keeps what was typed.
      if (!ack.ok) throw new HttpError(400, ack.error.message);
      this.state.conversation = ack.conversation;
      for (const m of ack.messages) this.log.add(m);
      this.state.phase = 'chat';
      this.persist();
      this.afterReceive();
    } catch (err) {
      this.closeSocket();
      this.state.phase = 'new';
      this.state.notice = err instanceof HttpError ? err.message : this.t.cannotReach;
    }
    this.changed();
  }

  /** Forgets the current chat (after it ended) so a new one can start. */
  reset(): void {
    this.closeSocket();
    this.options.store.clear();
    this.log = null;
    this.visitorToken = null;
    this.readSeq = 0;
    this.deliveredSeq = 0;
    Object.assign(this.state, emptyChatState());
  }

  /** Closes the connection (the widget is removed from the page). The chat stays resumable. */
  dispose(): void {
    this.closeSocket();
    this.listeners.clear();
  }

  private connect(): Socket {
    this.closeSocket();
    const socket = io(`${this.options.serverOrigin}/patient`, {
      auth: (cb) => {
        this.token().then(
          (token) => cb({ token }),
          () => cb({}),
        );
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      timeout: 10_000,
    });
    this.socket = socket;
    this.state.connection = 'connecting';
    socket.on('connect', () => {
      this.state.connection = 'online';
      this.changed();
      if (this.conversationId && this.state.phase !== 'starting') void this.resync();
    });
    // The token the socket connected with expired: the server says so, then closes it (and
    // socket.io does not reconnect after a server disconnect). Connect again, which asks for a
    // current token (a visitor's expired token is refused, and the chat ends, below).
    let expired = false;
    socket.on('session:expired', () => {
      expired = true;
    });
    socket.on('disconnect', () => {
      this.state.connection = 'reconnecting';
      this.changed();
      if (expired && this.socket === socket) {
        expired = false;
        socket.connect();
      }
    });
    socket.on('connect_error', (err: Error) => {
      if (socket.active) {
        // A network problem: socket.io keeps trying.
        this.state.connection = 'reconnecting';
      } else if (this.options.identity.kind === 'visitor' && err.message.includes(INVALID_TOKEN_HINT)) {
        // The server refused the visitor token (expired): this chat cannot continue.
        this.closeSocket();
        this.options.store.clear();
        this.state.phase = this.state.phase === 'starting' ? 'starting' : 'ended';
        this.state.notice = this.t.expired;
      } else {
        // Refused by the server (e.g. a patient's token expired): try again with a fresh token.
        this.state.connection = 'reconnecting';
        setTimeout(() => {
          if (this.socket === socket) socket.connect();
        }, 2_000);
      }
      this.changed();
    });
    // The account's sessions ended (signed out elsewhere, disabled, password changed): no reconnect.
    socket.on('session:ended', (event: SessionEndedEvent) => {
      this.closeSocket();
      this.state.connection = 'idle';
      this.state.notice = event.message;
      this.changed();
      const { identity } = this.options;
      if (identity.kind === 'patient') identity.onSessionEnded?.(event.message);
    });
    socket.on('message:new', (message: MessageView) => {
      if (message.conversationId !== this.conversationId || !this.log) return;
      if (this.log.add(message)) {
        // Their message arrived: they stopped typing.
        if (message.sender.id !== this.log.selfId && (message.sender.kind === 'bot' ? 'bot' : 'person') === this.state.typing) {
          clearTimeout(this.typingShownTimer);
          this.state.typing = null;
        }
        this.afterReceive();
        this.changed();
      }
    });
    socket.on('conversation:updated', (conversation: ConversationView) => {
      if (conversation.id !== this.conversationId) return;
      this.applyConversation(conversation);
      this.changed();
    });
    socket.on('queue:position', (event: QueuePositionEvent) => {
      if (event.conversationId !== this.conversationId) return;
      this.state.queue = event;
      this.changed();
    });
    socket.on('typing', (event: TypingEvent) => {
      if (event.conversationId !== this.conversationId || event.sender.id === this.log?.selfId) return;
      clearTimeout(this.typingShownTimer);
      this.state.typing = event.typing ? (event.sender.kind === 'bot' ? 'bot' : 'person') : null;
      if (event.typing) {
        this.typingShownTimer = setTimeout(() => {
          this.state.typing = null;
          this.changed();
        }, TYPING_SHOWN_MS);
      }
      this.changed();
    });
    socket.on('receipt', (event: ReceiptEvent) => {
      if (event.conversationId !== this.conversationId || !this.log) return;
      this.log.receipt(event.userId, event.kind, event.seq);
      this.changed();
    });
    socket.on('survey:offer', (offer: SurveyOffer) => {
      if (offer.conversationId !== this.conversationId) return;
      this.state.survey = offer;
      this.state.surveyState = 'open';
      this.persist();
      this.changed();
    });
    return socket;
  }

  private closeSocket(): void {
    if (!this.socket) return;
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.socket = null;
    this.state.connection = 'idle';
  }

  private applyConversation(conversation: ConversationView): void {
    this.state.conversation = conversation;
    if (conversation.state !== 'queued' && conversation.state !== 'offered') this.state.queue = null;
    if (conversation.state === 'wrapup' || conversation.state === 'closed') {
      this.state.phase = 'ended';
      this.state.typing = null;
    }
  }

  /** Everything after the last seq held, page by page; then the unacknowledged messages again. */
  private resync(): Promise<void> {
    this.syncing ??= (async () => {
      const socket = this.socket;
      const log = this.log;
      if (!socket || !log || !this.conversationId) return;
      try {
        for (;;) {
          const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('conversation:sync', {
            conversationId: this.conversationId,
            afterSeq: log.lastSeq,
          })) as Ack<{ conversation: ConversationView; messages: MessageView[]; hasMore: boolean }>;
          if (!ack.ok) {
            if (ack.error.code === 'not_found' || ack.error.code === 'forbidden') {
              // The stored chat is not ours (any more): start afresh.
              this.reset();
              this.changed();
              return;
            }
            break;
          }
          for (const m of ack.messages) log.add(m);
          this.applyConversation(ack.conversation);
          if (!ack.hasMore || ack.messages.length === 0) break;
        }
        this.afterReceive();
        this.changed();
        for (const pending of log.unacknowledged()) void this.deliver(pending.clientMessageId, pending.body, pending.value);
        if (this.state.phase === 'ended' && this.state.surveyState === 'none') await this.askForOpenSurvey(socket);
      } catch {
        // Timed out: the next connect resyncs again.
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  // --- sending ---

  /** Sends a message; `value` (a card's inputs, a button's value) answers the bot's prompt while `body` shows in the transcript. */
  send(body: string, value?: string | Record<string, unknown>): void {
    const text = body.trim();
    if (!text || !this.log || !this.conversationId) return;
    this.stopTyping();
    const clientMessageId = newClientMessageId();
    this.log.queue(clientMessageId, text, value);
    this.persist();
    this.changed();
    void this.deliver(clientMessageId, text, value);
  }

  private async deliver(clientMessageId: string, body: string, value?: string | Record<string, unknown>): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected || !this.log || !this.conversationId || this.inFlight.has(clientMessageId)) return;
    this.inFlight.add(clientMessageId);
    try {
      const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', {
        conversationId: this.conversationId,
        clientMessageId,
        body,
        ...(value !== undefined ? { value } : {}),
      })) as Ack<{ seq: number; messageId: string; duplicate: boolean }>;
      if (ack.ok) this.log.acknowledged(clientMessageId, ack);
      else if (ack.error.code === 'too_many_requests' || ack.error.code === 'internal') setTimeout(() => void this.deliver(clientMessageId, body, value), 2_000);
      else this.log.refused(clientMessageId, ack.error.message);
    } catch {
      // No ack in time: kept, and resent with the same id after the next (re)connect.
    } finally {
      this.inFlight.delete(clientMessageId);
      this.persist();
      this.changed();
    }
  }

  dismissFailed(clientMessageId: string): void {
    this.log?.dismiss(clientMessageId);
    this.persist();
    this.changed();
  }

  /** The patient is typing (called on input): `typing: true` at most every few seconds, `false` when idle. */
  composing(): void {
    if (!this.socket?.connected || !this.conversationId || this.state.phase !== 'chat') return;
    const now = Date.now();
    if (now - this.typingSentAt > TYPING_REPEAT_MS) {
      this.typingSentAt = now;
      this.socket.emit('typing', { conversationId: this.conversationId, typing: true });
    }
    clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    clearTimeout(this.typingIdleTimer);
    if (this.typingSentAt === 0 || !this.socket?.connected || !this.conversationId) return;
    this.typingSentAt = 0;
    this.socket.emit('typing', { conversationId: this.conversationId, typing: false });
  }

  /** Delivered receipt for what arrived; read receipt when the panel is in view (the view says so). */
  private afterReceive(): void {
    const last = this.log?.lastFromOthers();
    if (!last || !this.socket?.connected || !this.conversationId || last.seq <= this.deliveredSeq) return;
    this.deliveredSeq = last.seq;
    this.socket.emit('receipt', { conversationId: this.conversationId, seq: last.seq, kind: 'delivered' });
    if (this.visible) this.markRead();
  }

  private visible = false;

  /** The panel is (or is no longer) on screen and the page visible. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.markRead();
  }

  private markRead(): void {
    const last = this.log?.lastFromOthers();
    if (!last || !this.socket?.connected || !this.conversationId || last.seq <= this.readSeq) return;
    this.readSeq = last.seq;
    this.socket.emit('receipt', { conversationId: this.conversationId, seq: last.seq, kind: 'read' });
  }

  // --- ending ---

  async end(): Promise<void> {
    const socket = this.socket;
    if (!socket || !this.conversationId) return;
    try {
      const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('conversation:end', { conversationId: this.conversationId })) as Ack<{
        conversation: ConversationView;
      }>;
      if (ack.ok) this.applyConversation(ack.conversation);
      else this.state.notice = ack.error.message;
    } catch {
      this.state.notice = this.t.cannotReach;
    }
    this.changed();
  }

  // --- attachments and transcript (REST, with the same token) ---

  async upload(file: File): Promise<void> {
    if (!this.conversationId || !this.log) return;
    const problem = attachmentProblem(file);
    if (problem) {
      this.state.notice = problem === 'too-large' ? this.t.tooLarge(file.name) : this.t.wrongType(file.name);
      this.changed();
      return;
    }
    this.state.uploads = [...this.state.uploads, file.name];
    this.state.notice = null;
    this.changed();
    try {
      const query = new URLSearchParams({ clientMessageId: newClientMessageId(), fileName: file.name.slice(0, 200) });
      const res = await this.request('POST', `/api/conversations/${encodeURIComponent(this.conversationId)}/attachments?${query}`, {
        body: file,
        contentType: file.type,
      });
      const { message } = (await res.json()) as { message: MessageView };
      if (this.log.add(message)) this.afterReceive();
    } catch (err) {
      this.state.notice = this.t.uploadFailed(file.name, err instanceof HttpError ? err.message : this.t.cannotReach);
    } finally {
      this.state.uploads = this.state.uploads.filter((n) => n !== file.name);
      this.changed();
    }
  }

  /** An attachment's bytes (fetched with the token: the link alone is not enough). */
  async attachmentBlob(attachment: AttachmentView): Promise<Blob> {
    const res = await this.request('GET', attachment.url);
    return res.blob();
  }

  /** A file a card links to on the server's API (an appointment's calendar file), fetched with this chat's token. */
  async apiFileBlob(path: string): Promise<Blob> {
    if (!path.startsWith('/api/')) throw new Error('not an API path');
    const res = await this.request('GET', path);
    return res.blob();
  }

  async transcriptBlob(): Promise<Blob> {
    if (!this.conversationId) throw new Error('no conversation');
    const res = await this.request('GET', `/api/conversations/${encodeURIComponent(this.conversationId)}/transcript?format=text&tz=${encodeURIComponent(readerTimeZone())}`);
    return new Blob([await res.blob()], { type: 'text/plain;charset=utf-8' });
  }

  /** The clinic's widget configuration and whether anyone can chat now; null for what could not be read. */
  async setup(): Promise<{ config: WidgetConfig | null; availability: Availability | null }> {
    const read = async <T>(path: string): Promise<T | null> => {
      try {
        const res = await fetch(`${this.options.serverOrigin}${path}`, { credentials: 'omit', mode: 'cors' });
        return res.ok ? ((await res.json()) as T) : null;
      } catch {
        return null;
      }
    };
    const [config, availability] = await Promise.all([read<WidgetConfig>('/api/chat/widget-config'), read<Availability>('/api/chat/availability')]);
    return { config, availability };
  }

  /** Leaves a message while every queue is closed (a signed-in patient's with their token); rejects with the server's reason. */
  async leaveOfflineMessage(message: OfflineMessageRequest): Promise<OfflineMessageResponse> {
    const res = await this.request('POST', '/api/chat/offline-messages', { json: message }, this.options.identity.kind === 'patient');
    return (await res.json()) as OfflineMessageResponse;
  }

  reportNotice(notice: string | null): void {
    this.state.notice = notice;
    this.changed();
  }

  // --- survey ---

  /** An ended chat whose survey this page never saw (another device, a lost tab): ask for it. */
  private async askForOpenSurvey(socket: Socket): Promise<void> {
    const conversationId = this.conversationId;
    if (!conversationId) return;
    const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('survey:pending', { conversationId })) as Ack<{ offer: SurveyOffer | null }>;
    if (!ack.ok || !ack.offer || this.conversationId !== conversationId || this.state.surveyState !== 'none') return;
    this.state.survey = ack.offer;
    this.state.surveyState = 'open';
    this.persist();
    this.changed();
  }

  async submitSurvey(answers: SurveyAnswers): Promise<void> {
    const offer = this.state.survey;
    const socket = this.socket;
    if (!offer || !socket) return;
    this.state.surveyState = 'sending';
    this.changed();
    try {
      const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('survey:submit', { token: offer.token, answers })) as Ack<object>;
      if (ack.ok) {
        this.state.surveyState = 'done';
        this.state.notice = null;
      } else {
        this.state.surveyState = 'open';
        this.state.notice = this.t.surveyFailed(ack.error.message);
      }
    } catch {
      this.state.surveyState = 'open';
      this.state.notice = this.t.surveyFailed(this.t.cannotReach);
    }
    this.persist();
    this.changed();
  }

  dismissSurvey(): void {
    this.state.surveyState = 'dismissed';
    this.persist();
    this.changed();
  }

  // --- helpers ---

  private persist(): void {
    if (!this.log || !this.conversationId) return;
    const { identity } = this.options;
    this.options.store.save({
      conversationId: this.conversationId,
      selfId: this.log.selfId,
      selfKind: identity.kind,
      ...(this.visitorToken ? { visitorToken: this.visitorToken } : {}),
      pending: this.log.pending(),
      ...(this.state.survey && this.state.surveyState === 'open' ? { survey: this.state.survey } : {}),
    });
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    options: { json?: unknown; body?: Blob; contentType?: string } = {},
    withToken = true,
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (withToken) headers.authorization = `Bearer ${await this.token()}`;
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body) {
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
      body = options.body;
    }
    let res: Response;
    try {
      res = await fetch(`${this.options.serverOrigin}${path}`, { method, headers, body, credentials: 'omit', mode: 'cors', cache: 'no-store' });
    } catch {
      throw new HttpError(0, this.t.cannotReach);
    }
    if (!res.ok) {
      let message = `${res.status} ${res.statusText}`.trim();
      try {
        const parsed = (await res.json()) as { error?: { message?: string } };
        if (parsed.error?.message) message = parsed.error.message;
      } catch {
        // not JSON
      }
      throw new HttpError(res.status, message);
    }
    return res;
  }
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Until the first sync answers, the resumed conversation is known only by its id. */
function placeholderConversation(id: string, channel: ConversationChannel): ConversationView {
  const now = new Date().toISOString();
  return { id, channel, state: 'bot', patientId: null, visitorName: null, queue: null, priority: 0, skills: [], lastSeq: 0, createdAt: now, updatedAt: now, closedAt: null };
}

/** The reader's time zone for the downloaded transcript's times. */
function readerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
