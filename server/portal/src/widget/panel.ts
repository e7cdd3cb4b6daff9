/**
 * The chat panel: a view of a ChatSession inside a shadow root. Floating (launcher button + panel,
 * for the one-tag embed) or inline (the portal's page). Every control has an accessible name, new
 * messages are announced through the log's live region, and everything works with the keyboard.
 */
import type { AttachmentView, ChatCard, ConversationChannel, MessageView } from '../../../src/contracts/conversations.js';
import type { SurveyAnswers } from '../../../src/contracts/surveys.js';
import type { PendingMessage } from './chat-log.js';
import { h, setText } from './dom.js';
import { ATTACHMENT_CONTENT_TYPES, MAX_MESSAGE_CHARS, waitMinutes } from './limits.js';
import { parseMenu } from './menu.js';
import { ChatSession, type Identity } from './session.js';
import { sessionChatStore } from './storage.js';
import { STRINGS, type Language, type Strings } from './strings.js';
import { applyStyles, setAccent } from './styles.js';
import { mountSurveyForm, type SurveyFormHandle } from './survey-form.js';
import type { WidgetConfig } from '../../../src/contracts/widget.js';
import { accentColourProblem } from '../../../src/contracts/colour.js';
import { openingTime } from './forms.js';
import { createOfflineForm, type OfflineFormHandle } from './offline-form.js';
import { createPrechatForm, type PrechatFormHandle } from './prechat-form.js';
import { activeBotMessageSeq, hasBotControls } from './bot-content.js';
import { botContentView, messageText, type BotContentView } from './bot-card-view.js';
import type { LoadAdaptiveCards } from './card-loader.js';

export interface ChatWidgetOptions {
  /** The Carebridge server's origin (no trailing slash). */
  serverOrigin: string;
  clinicName: string;
  language: Language;
  position: 'left' | 'right';
  /** `floating`: launcher button and a panel in a page corner; `inline`: the panel fills `host`. */
  mode: 'floating' | 'inline';
  channel: ConversationChannel;
  identity: Identity;
  /** sessionStorage key of the resumable chat. */
  storageKey: string;
  /** The embed's own accent colour (`data-accent-color`), over the server's; ignored unless white text stays readable on it. */
  accentColor?: string;
  /** The embed's own greeting (`data-greeting`), over the server's. */
  greeting?: string;
  /** Loads the Adaptive Cards renderer when the first card arrives (card-loader.ts); without it cards show their fallback text. */
  loadAdaptiveCards?: LoadAdaptiveCards;
}

/** When the server's configuration cannot be read (an older server): the name alone, as before the pre-chat form. */
const FALLBACK_CONFIG: WidgetConfig = { accentColor: '#0b5cad', headerTitle: null, greeting: null, prechat: { enabled: false, askDateOfBirth: false, reasons: [] } };

/** The accent colour to use: the first that keeps white text readable (WCAG AA). */
export function chooseAccent(...candidates: Array<string | null | undefined>): string {
  for (const colour of candidates) if (colour && accentColourProblem(colour) === null) return colour;
  return FALLBACK_CONFIG.accentColor;
}

export interface ChatWidgetHandle {
  session: ChatSession;
  open(): void;
  destroy(): void;
}

let panelCounter = 0;

export function mountChatWidget(host: HTMLElement, options: ChatWidgetOptions): ChatWidgetHandle {
  const t: Strings = STRINGS[options.language];
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  shadow.replaceChildren();
  applyStyles(shadow);
  if (options.accentColor && accentColourProblem(options.accentColor)) {
    console.warn(`Carebridge chat: data-accent-color ignored: ${accentColourProblem(options.accentColor)}.`);
  }
  setAccent(shadow, chooseAccent(options.accentColor));
  const session = new ChatSession({
    serverOrigin: options.serverOrigin,
    channel: options.channel,
    identity: options.identity,
    store: sessionChatStore(options.storageKey),
    strings: t,
  });
  const floating = options.mode === 'floating';
  const ids = `cb-${++panelCounter}`;

  // --- structure ---
  const launcher = h('button', { type: 'button', className: 'cb-launcher', 'aria-expanded': 'false', 'aria-controls': `${ids}-panel` }, t.launcherOpen(options.clinicName));
  const minimize = h('button', { type: 'button', 'aria-label': t.minimize }, '–');
  const title = h('h2', { id: `${ids}-title` }, t.panelTitle(options.clinicName));
  const status = h('p', { className: 'cb-status', role: 'status', 'aria-label': 'Chat status' });
  const alert = h('p', { className: 'cb-alert', role: 'alert' });

  // The first screen: the greeting, then the pre-chat form, or the offline form when every queue is
  // closed. Built once the server's configuration and availability are known.
  const greeting = h('p', { className: 'cb-greeting' }, options.greeting ?? t.greeting);
  const loading = h('p', { className: 'cb-hint' }, t.loading);
  const firstScreen = h('div', { className: 'cb-first' }, greeting, loading);
  let prechatForm: PrechatFormHandle | null = null;
  let offlineForm: OfflineFormHandle | null = null;
  /** Open: a chat may start; false: the offline form instead; null: not known yet. */
  let clinicOpen: boolean | null = null;
  let autoStart = false;

  // The live region is the scrolling box; the messages inside it stay a list (role="log" on the
  // <ol> itself would take its list semantics away from the items).
  const list = h('ol', { className: 'cb-list' });
  const log = h('div', { className: 'cb-log', role: 'log', 'aria-live': 'polite', 'aria-label': t.messages, tabIndex: 0 }, list);
  const typing = h('p', { className: 'cb-typing', role: 'status', 'aria-label': 'Typing' });
  const quick = h('div', { className: 'cb-quick', role: 'group', 'aria-label': t.quickReplies });
  const textarea = h('textarea', { id: `${ids}-text`, maxLength: MAX_MESSAGE_CHARS, rows: 2 });
  const sendButton = h('button', { type: 'submit', className: 'cb-primary' }, t.send);
  const fileInput = h('input', { type: 'file', accept: ATTACHMENT_CONTENT_TYPES.join(','), hidden: true, tabIndex: -1 });
  const attachButton = h('button', { type: 'button', 'aria-describedby': `${ids}-attach-hint` }, t.attach);
  const composer = h(
    'form',
    { className: 'cb-composer', 'aria-label': t.messageLabel },
    h('label', { htmlFor: `${ids}-text`, className: 'cb-visually-hidden' }, t.messageLabel),
    textarea,
    h('div', { className: 'cb-row' }, sendButton, attachButton, fileInput),
    h('p', { className: 'cb-hint', id: `${ids}-attach-hint` }, t.attachHint),
  );
  const transcriptButton = h('button', { type: 'button' }, t.transcript);
  const endButton = h('button', { type: 'button' }, t.endChat);
  const toolbar = h('div', { className: 'cb-row' }, transcriptButton, endButton);
  const confirmYes = h('button', { type: 'button', className: 'cb-primary' }, t.confirmEndYes);
  const confirmNo = h('button', { type: 'button' }, t.confirmEndNo);
  const confirm = h(
    'div',
    { className: 'cb-confirm', role: 'group', 'aria-label': t.endChat, hidden: true },
    h('p', {}, t.confirmEnd),
    h('div', { className: 'cb-row' }, confirmYes, confirmNo),
  );
  const startNew = h('button', { type: 'button', className: 'cb-primary' }, t.startNew);
  const surveyBox = h('div', { className: 'cb-survey-box', hidden: true });
  // The log takes the height the controls leave; every control keeps its own (see styles.ts).
  const chatView = h('div', { className: 'cb-body' }, log, typing, quick, composer, confirm, surveyBox, startNew, toolbar);
  const body = h('div', { className: 'cb-top' }, status, alert, firstScreen);
  const panel = h(
    'section',
    {
      id: `${ids}-panel`,
      className: 'cb-panel',
      role: floating ? 'dialog' : 'region',
      'aria-labelledby': `${ids}-title`,
      hidden: floating,
    },
    h('div', { className: 'cb-header' }, title, floating ? minimize : null),
    body,
    chatView,
  );
  const root = h('div', { className: `cb-root ${floating ? 'cb-floating' : 'cb-inline'} ${options.position === 'left' ? 'cb-left' : ''}` }, panel, floating ? launcher : null);
  shadow.append(root);

  // --- behaviour ---
  const isOpen = () => !panel.hidden;
  const updateVisibility = () => session.setVisible(isOpen() && document.visibilityState === 'visible');

  const focusFirst = () => {
    const { phase } = session.state;
    if (phase === 'new') (offlineForm ?? prechatForm)?.focusFirst();
    else if (phase === 'chat') textarea.focus();
    else startNew.focus();
  };

  const open = () => {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    setText(launcher, t.launcherClose);
    if (session.state.phase === 'new' && autoStart) void session.start();
    render();
    updateVisibility();
    focusFirst();
  };
  const close = () => {
    if (!floating) return;
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    setText(launcher, t.launcherOpen(options.clinicName));
    updateVisibility();
    launcher.focus();
  };

  launcher.addEventListener('click', () => (isOpen() ? close() : open()));
  minimize.addEventListener('click', close);
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && floating) {
      event.preventDefault();
      close();
    }
  });
  document.addEventListener('visibilitychange', updateVisibility);

  const applySetup = (config: WidgetConfig, open: boolean, nextOpenAt: string | null) => {
    setAccent(shadow, chooseAccent(options.accentColor, config.accentColor));
    setText(title, config.headerTitle ?? t.panelTitle(options.clinicName));
    setText(greeting, options.greeting ?? config.greeting ?? t.greeting);
    loading.remove();
    clinicOpen = open;
    const visitor = options.identity.kind === 'visitor';
    if (!open) {
      // Closed: the offline form's heading and words greet instead ("we will connect you" would not be true).
      greeting.hidden = true;
      offlineForm = createOfflineForm({
        ids,
        strings: t,
        language: options.language,
        visitor,
        send: async (message) => {
          await session.leaveOfflineMessage(message);
        },
      });
      offlineForm.setOpening(openingTime(nextOpenAt, options.language));
      firstScreen.append(offlineForm.element);
    } else if (visitor || config.prechat.enabled) {
      prechatForm = createPrechatForm({
        ids,
        strings: t,
        rules: { visitor, askReason: config.prechat.enabled, askDateOfBirth: config.prechat.askDateOfBirth, reasons: config.prechat.reasons },
        onSubmit: ({ displayName, prechat }) => {
          void session.start(visitor ? displayName : undefined, prechat).then(() => {
            if (session.state.phase === 'chat') textarea.focus();
            else prechatForm?.focusFirst();
          });
        },
      });
      firstScreen.append(prechatForm.form);
    } else {
      // A signed-in patient with nothing to ask: the chat starts as soon as it is shown.
      autoStart = true;
    }
  };

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textarea.value;
    if (!text.trim()) return;
    session.send(text);
    textarea.value = '';
    textarea.focus();
  });
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
  textarea.addEventListener('input', () => session.composing());

  attachButton.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (file) void session.upload(file);
  });

  transcriptButton.addEventListener('click', () => {
    session.transcriptBlob().then(
      (blob) => download(blob, `chat-transcript-${new Date().toISOString().slice(0, 10)}.txt`),
      (err: unknown) => session.reportNotice(t.transcriptFailed(err instanceof Error ? err.message : t.cannotReach)),
    );
  });

  endButton.addEventListener('click', () => {
    confirm.hidden = false;
    confirmNo.focus();
  });
  confirmNo.addEventListener('click', () => {
    confirm.hidden = true;
    endButton.focus();
  });
  confirmYes.addEventListener('click', () => {
    confirm.hidden = true;
    void session.end().then(() => startNew.focus());
  });
  startNew.addEventListener('click', () => {
    session.reset();
    survey?.destroy();
    survey = null;
    list.replaceChildren();
    rendered.clear();
    botViews.clear();
    prechatForm?.reset();
    if (autoStart) void session.start();
    render();
    focusFirst();
  });

  // --- rendering ---
  const rendered = new Map<string, HTMLLIElement>();
  /** Bot messages with cards or suggested actions, by the same keys: only the active one's controls answer. */
  const botViews = new Map<string, BotContentView>();
  const sendFromBotControls = (body: string, value?: string | Record<string, unknown>) => {
    session.send(body, value);
    textarea.focus();
  };
  let survey: SurveyFormHandle | null = null;
  let lastQuickFor = -1;

  function senderLabel(message: MessageView, own: boolean): string {
    if (own) return t.you;
    if (message.sender.kind === 'bot') return t.bot;
    if (message.sender.kind === 'system') return t.system;
    return t.agent;
  }

  function statusText(own: { status: string; error?: string }): string {
    if (own.status === 'failed') return t.failed(own.error ?? '');
    return { sending: t.sending, sent: t.sent, delivered: t.delivered, read: t.read }[own.status] ?? '';
  }

  function messageItem(key: string, message: MessageView | null, pending: PendingMessage | null): HTMLLIElement {
    let li = rendered.get(key);
    const own = pending !== null || (message !== null && message.sender.id === session.log?.selfId);
    if (!li && message?.clientMessageId && own) {
      // The ack turned a pending message into a stored one: keep its element (not announced twice).
      const pendingLi = rendered.get(`p:${message.clientMessageId}`);
      if (pendingLi) {
        rendered.delete(`p:${message.clientMessageId}`);
        rendered.set(key, pendingLi);
        li = pendingLi;
      }
    }
    if (!li) {
      const system = message?.sender.kind === 'system' || message?.kind === 'system';
      li = h('li', { className: `cb-msg${own ? ' cb-own' : ''}${system ? ' cb-system' : ''}` });
      li.append(h('span', { className: 'cb-who' }, `${senderLabel(message ?? ({ sender: { kind: 'visitor', id: '' } } as MessageView), own)}:`));
      if (message?.kind === 'attachment' && message.attachment) li.append(attachmentView(message.attachment));
      else if (message?.kind === 'card' && message.card) li.append(cardView(message.card));
      else if (message && hasBotControls(message)) {
        const view = botContentView(message, { serverOrigin: options.serverOrigin, strings: t, loadAdaptiveCards: options.loadAdaptiveCards, send: sendFromBotControls });
        li.classList.add('cb-has-cards');
        li.append(...view.nodes);
        botViews.set(key, view);
      } else if (message) li.append(messageText(message, options.serverOrigin));
      else li.append(h('span', { className: 'cb-text' }, pending?.body ?? ''));
      if (own) li.append(h('span', { className: 'cb-meta' }));
      rendered.set(key, li);
    }
    const meta = li.querySelector<HTMLElement>('.cb-meta');
    if (meta && own) {
      const state = pending ? { status: pending.state, ...(pending.error ? { error: pending.error } : {}) } : { status: session.log!.statusOf(message!) };
      setText(meta, statusText(state));
      meta.classList.toggle('cb-failed', state.status === 'failed');
      const dismiss = li.querySelector('button.cb-dismiss');
      if (pending?.state === 'failed' && !dismiss) {
        const button = h('button', { type: 'button', className: 'cb-dismiss' }, t.dismiss);
        button.addEventListener('click', () => session.dismissFailed(pending.clientMessageId));
        li.append(button);
      }
    }
    return li;
  }

  /** A card from the clinic: its facts as a list and its links opened on the Carebridge server (in a new tab: the chat stays). */
  function cardView(card: ChatCard): HTMLElement {
    const box = h('span', { className: `cb-card cb-card-${card.type}` }, h('strong', { className: 'cb-card-title' }, card.title));
    if (card.subtitle) box.append(h('span', { className: 'cb-card-sub' }, card.subtitle));
    if (card.text) box.append(h('span', { className: 'cb-card-text' }, card.text));
    if (card.facts && card.facts.length > 0) {
      const facts = h('dl', { className: 'cb-card-facts' });
      for (const fact of card.facts) facts.append(h('dt', {}, fact.label), h('dd', {}, fact.value));
      box.append(facts);
    }
    for (const action of card.actions ?? []) {
      // Same-site paths only (the server refuses others); resolved against the server, not the page the widget is on.
      if (!action.url.startsWith('/') || action.url.startsWith('//')) continue;
      if (action.url.startsWith('/api/')) {
        // Files on the API are the signed-in patient's own (a visitor's chat token opens none of them).
        if (options.identity.kind === 'visitor') continue;
        // An API file (the appointment's .ics) needs this chat's token: fetched, then saved.
        const button = h('button', { type: 'button', className: 'cb-card-action' }, action.label);
        const fileName = action.url.endsWith('/ics') ? 'appointment.ics' : (action.url.split('/').pop() ?? 'file');
        button.addEventListener('click', () => {
          session.apiFileBlob(action.url).then(
            (blob) => download(blob, fileName),
            (err: unknown) => session.reportNotice(t.downloadFailed(fileName, err instanceof Error ? err.message : t.cannotReach)),
          );
        });
        box.append(button);
        continue;
      }
      const link = h('a', { className: 'cb-card-action', href: `${options.serverOrigin}${action.url}`, target: '_blank', rel: 'noopener' }, action.label);
      box.append(link);
    }
    return box;
  }

  function attachmentView(attachment: AttachmentView): HTMLElement {
    const box = h('span', { className: 'cb-attachment' }, h('span', {}, t.attachmentFrom(attachment.fileName)));
    const save = h('button', { type: 'button' }, t.openAttachment(attachment.fileName));
    save.addEventListener('click', () => {
      session.attachmentBlob(attachment).then(
        (blob) => download(blob, attachment.fileName),
        (err: unknown) => session.reportNotice(t.uploadFailed(attachment.fileName, err instanceof Error ? err.message : t.cannotReach)),
      );
    });
    if (attachment.contentType.startsWith('image/')) {
      const img = h('img', { alt: attachment.fileName });
      session.attachmentBlob(attachment).then(
        (blob) => {
          img.src = URL.createObjectURL(blob);
        },
        () => img.remove(),
      );
      box.append(img);
    }
    box.append(h('br'), save);
    return box;
  }

  function renderMessages(): void {
    const chat = session.log;
    if (!chat) return;
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 60;
    const wanted: HTMLLIElement[] = [];
    const keys = new Set<string>();
    for (const message of chat.messages()) {
      const key = `m:${message.seq}`;
      keys.add(key);
      wanted.push(messageItem(key, message, null));
    }
    for (const pending of chat.pending()) {
      const key = `p:${pending.clientMessageId}`;
      keys.add(key);
      wanted.push(messageItem(key, null, pending));
    }
    for (const [key, el] of rendered) {
      if (!keys.has(key)) {
        el.remove();
        rendered.delete(key);
        botViews.delete(key);
      }
    }
    const withBot = session.state.phase === 'chat' && session.state.conversation?.state === 'bot';
    const activeSeq = activeBotMessageSeq(chat.messages(), chat.selfId, { withBot, pendingCount: chat.pending().length });
    for (const [key, view] of botViews) view.setActive(key === `m:${activeSeq}`);
    wanted.forEach((el, i) => {
      if (list.children[i] !== el) list.insertBefore(el, list.children[i] ?? null);
    });
    if (nearBottom) log.scrollTop = log.scrollHeight;
  }

  function renderQuickReplies(): void {
    const messages = session.log?.messages() ?? [];
    // The bot's latest menu stays offered while the bot has the chat, also after the patient typed.
    const withBot = session.state.phase === 'chat' && session.state.conversation?.state === 'bot';
    const latest = withBot ? messages.findLast((m) => m.sender.kind === 'bot' && (parseMenu(m.body).length > 0 || hasBotControls(m))) : undefined;
    // A message with suggested actions has its own buttons under it: the numbered list is not offered twice.
    const menuMessage = latest && (latest.bot?.suggestedActions?.length ?? 0) === 0 && parseMenu(latest.body).length > 0 ? latest : undefined;
    const seq = menuMessage ? menuMessage.seq : -1;
    if (seq === lastQuickFor) return;
    lastQuickFor = seq;
    quick.replaceChildren();
    if (!menuMessage) return;
    for (const option of parseMenu(menuMessage.body)) {
      const button = h('button', { type: 'button' }, option.label);
      button.addEventListener('click', () => {
        session.send(option.reply);
        textarea.focus();
      });
      quick.append(button);
    }
  }

  function renderStatus(): void {
    const { phase, connection, queue, conversation } = session.state;
    let text = '';
    if (phase === 'starting') text = t.starting;
    else if (phase === 'ended') text = t.ended;
    else if (phase === 'chat') {
      if (connection === 'reconnecting') text = t.reconnecting;
      else if (connection === 'connecting') text = t.connecting;
      else if (queue) text = `${t.queue(queue.position)} ${queue.estimatedWaitMs === null ? t.noWaitEstimate : t.wait(waitMinutes(queue.estimatedWaitMs))}`;
      else if (conversation?.state === 'active' || conversation?.state === 'waiting') text = t.withAgent;
    }
    setText(status, text);
  }

  function renderSurvey(): void {
    const { survey: offer, surveyState } = session.state;
    const showSurvey = offer !== null && surveyState !== 'none' && surveyState !== 'dismissed';
    surveyBox.hidden = !showSurvey;
    if (!showSurvey || !offer) return;
    if (!survey) {
      survey = mountSurveyForm(surveyBox, {
        survey: offer.survey,
        strings: t,
        onSubmit: (answers: SurveyAnswers) => session.submitSurvey(answers),
        onSkip: () => session.dismissSurvey(),
      });
    }
    survey.setState(surveyState === 'done' ? 'done' : surveyState === 'sending' ? 'sending' : 'open');
  }

  function render(): void {
    const { phase } = session.state;
    setText(alert, session.state.notice ?? '');
    firstScreen.hidden = (phase !== 'new' && phase !== 'starting') || (autoStart && clinicOpen === true);
    prechatForm?.setBusy(phase === 'starting');
    chatView.hidden = phase !== 'chat' && phase !== 'ended';
    const ended = phase === 'ended';
    composer.hidden = ended;
    endButton.hidden = ended;
    quick.hidden = ended;
    startNew.hidden = !ended;
    if (ended) confirm.hidden = true;
    const offline = session.state.connection !== 'online';
    sendButton.disabled = false; // messages typed offline are queued and sent on reconnect
    attachButton.disabled = offline || session.state.uploads.length > 0;
    setText(attachButton, session.state.uploads.length > 0 ? t.uploading(session.state.uploads[0]!) : t.attach);
    setText(typing, ended || !session.state.typing ? '' : session.state.typing === 'bot' ? t.botTyping : t.typing);
    renderStatus();
    renderMessages();
    renderQuickReplies();
    renderSurvey();
  }

  session.onChange(render);
  const resumed = session.resume();
  render();
  if (floating && resumed) open();
  if (!floating) updateVisibility();
  let destroyed = false;
  void session.setup().then(({ config, availability }) => {
    if (destroyed) return;
    applySetup(config ?? FALLBACK_CONFIG, availability?.open ?? true, availability?.nextOpenAt ?? null);
    render();
    const shown = !floating || isOpen();
    if (autoStart && shown && session.state.phase === 'new') void session.start();
    // Whoever opened the panel before the form existed gets to its first field now.
    else if (shown && floating && session.state.phase === 'new') focusFirst();
  });

  return {
    session,
    open,
    destroy: () => {
      destroyed = true;
      document.removeEventListener('visibilitychange', updateVisibility);
      survey?.destroy();
      session.dispose();
      shadow.replaceChildren();
    },
  };
}

function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
