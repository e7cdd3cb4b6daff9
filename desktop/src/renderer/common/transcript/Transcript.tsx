/**
 * A conversation's transcript, virtualized (long chats stay fast): patient, bot, system lines,
 * the agents' messages with delivered/read ticks, internal notes (mentions highlighted) and
 * supervisor whispers set apart, attachments inline, the bot's cards and suggested actions as the
 * patient saw them (read-only, BotContent.tsx). Used by the inbox and the supervisor's monitor.
 *
 * Screen readers: the scrolling list is a log with its live announcements off, because the
 * virtualizer adds old messages to the page as the reader scrolls back; a separate hidden live
 * region announces only what arrives from others after the transcript opened.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { MessageView } from '@carebridge/server/contracts';
import { useAppDispatch } from '../../app/hooks.js';
import { downloadBlob, saveBlob } from './files.js';
import { splitMentions } from './mentions.js';
import { BotContent, hasBotContent } from './BotContent.js';
import { cardAnswersBySeq } from './card-answers.js';

export interface PendingLine {
  clientMessageId: string;
  kind: 'text' | 'note' | 'whisper';
  body: string;
  createdAt: string;
  status: 'sending' | 'offline' | 'failed';
  error: string | null;
}

interface Props {
  label: string;
  messages: readonly MessageView[];
  pending?: readonly PendingLine[];
  /** The signed-in user (their messages are "You" and carry ticks). */
  me: string;
  /** Display names by user id. */
  names: Readonly<Record<string, string>>;
  patientName: string;
  /** Highest seq the patient's side has received / read. */
  peerDelivered?: number;
  peerRead?: number;
  mentionNames?: readonly string[];
  onRetry?(clientMessageId: string): void;
  onDiscard?(clientMessageId: string): void;
}

type Row = { kind: 'message'; message: MessageView } | { kind: 'pending'; line: PendingLine };

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const STAFF = new Set(['agent', 'consultant', 'supervisor']);
const ROLE_NAMES: Record<string, string> = { agent: 'Agent', consultant: 'Consultant', supervisor: 'Supervisor' };

export function senderName(message: MessageView, me: string, names: Readonly<Record<string, string>>, patientName: string): string {
  const { kind, id } = message.sender;
  if (kind === 'system') return 'System';
  if (kind === 'bot') return 'Bot';
  if (kind === 'patient' || kind === 'visitor') return names[id] ?? patientName;
  if (id === me) return 'You';
  return names[id] ?? ROLE_NAMES[kind] ?? kind;
}

export function Transcript(props: Props) {
  const { messages, pending = [], label } = props;
  const rows: Row[] = [...messages.map((message) => ({ kind: 'message' as const, message })), ...pending.map((line) => ({ kind: 'pending' as const, line }))];
  const scrollRef = useRef<HTMLDivElement>(null);
  const stickToEnd = useRef(true);
  const lastScrollTop = useRef(0);
  const announcements = useArrivals(messages, props.me, props.names, props.patientName);
  const cardAnswers = useMemo(() => cardAnswersBySeq(messages), [messages]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 64,
    overscan: 8,
    getItemKey: (index) => {
      const row = rows[index]!;
      return row.kind === 'message' ? `m${row.message.seq}` : `p${row.line.clientMessageId}`;
    },
  });

  // Follow new lines while the reader is at the end; leave them alone when they scrolled up.
  useLayoutEffect(() => {
    if (rows.length > 0 && stickToEnd.current) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [rows.length, virtualizer]);

  return (
    <>
      <div className="visually-hidden" aria-live="polite" aria-relevant="additions" data-testid="transcript-announcer">
        {announcements.map((a) => (
          <p key={a.seq}>{a.text}</p>
        ))}
      </div>
      <div
        ref={scrollRef}
        className="transcript"
        role="log"
        aria-label={label}
        aria-live="off"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          // At the end: follow. Away from it only when the reader scrolled up: following new lines
          // (and the list measuring them) scrolls down, and must not stop the following in a burst.
          if (el.scrollHeight - el.scrollTop - el.clientHeight < 80) stickToEnd.current = true;
          else if (el.scrollTop < lastScrollTop.current - 8) stickToEnd.current = false;
          lastScrollTop.current = el.scrollTop;
        }}
      >
        {rows.length === 0 ? <p className="muted center small">No messages yet.</p> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className="transcript-row"
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
              >
                {row.kind === 'message' ? <MessageLine {...props} message={row.message} cardAnswer={cardAnswers.get(row.message.seq)} /> : <PendingMessageLine {...props} line={row.line} />}
              </div>
            );
          })}
        </div>
      </div>
    </>
  );
}

/** The last few messages from others that arrived while this transcript was open, as sentences. */
function useArrivals(messages: readonly MessageView[], me: string, names: Readonly<Record<string, string>>, patientName: string) {
  const [arrivals, setArrivals] = useState<{ seq: number; text: string }[]>([]);
  const seen = useRef<number | null>(null);
  const last = messages.length > 0 ? messages[messages.length - 1]!.seq : 0;
  useEffect(() => {
    // What is on screen when the transcript opens (or its history loads) is not news.
    if (seen.current === null || seen.current === 0) {
      seen.current = last;
      return;
    }
    const fresh = messages.filter((m) => m.seq > seen.current! && m.sender.id !== me);
    seen.current = Math.max(seen.current, last);
    if (fresh.length === 0) return;
    const said = fresh.map((m) => ({
      seq: m.seq,
      text: m.kind === 'system' ? m.body : `${senderName(m, me, names, patientName)}${m.kind === 'note' ? ' (internal note)' : m.kind === 'whisper' ? ' (whisper)' : ''}: ${m.kind === 'attachment' ? `sent ${m.attachment?.fileName ?? 'a file'}` : m.body}`,
    }));
    setArrivals((before) => [...before, ...said].slice(-5));
  }, [last]);
  return arrivals;
}

function Body({ text, mention, names }: { text: string; mention: boolean; names: readonly string[] }) {
  if (!mention) return <p className="msg-body">{text}</p>;
  return (
    <p className="msg-body">
      {splitMentions(text, names).map((segment, i) =>
        segment.mention ? (
          <mark key={i} className="mention">
            {segment.text}
          </mark>
        ) : (
          <span key={i}>{segment.text}</span>
        ),
      )}
    </p>
  );
}

function MessageLine({ message, me, names, patientName, peerDelivered = 0, peerRead = 0, mentionNames = [], cardAnswer }: Props & { message: MessageView; cardAnswer: Record<string, unknown> | undefined }) {
  if (message.kind === 'system') {
    return (
      <p className="msg-system" role="note" aria-label={`System message, ${time(message.createdAt)}`}>
        {message.body}
      </p>
    );
  }
  const who = senderName(message, me, names, patientName);
  const mine = message.sender.id === me;
  const side = message.sender.kind === 'patient' || message.sender.kind === 'visitor' ? 'patient' : message.sender.kind === 'bot' ? 'bot' : 'staff';
  const kindLabel = message.kind === 'note' ? 'internal note' : message.kind === 'whisper' ? 'whisper' : null;
  const tick = mine && STAFF.has(message.sender.kind) && message.kind !== 'note' && message.kind !== 'whisper' ? (peerRead >= message.seq ? 'Read' : peerDelivered >= message.seq ? 'Delivered' : 'Sent') : null;
  return (
    <article className={`msg msg-${side} msg-kind-${message.kind}${mine ? ' msg-mine' : ''}`} aria-label={`${who}${kindLabel ? `, ${kindLabel}` : ''}, ${time(message.createdAt)}`}>
      <header className="msg-meta">
        {kindLabel ? <span className={`msg-tag tag-${message.kind}`}>{message.kind === 'note' ? 'Internal note' : 'Whisper'}</span> : null}
        <span className="msg-who">{who}</span>
        <time dateTime={message.createdAt}>{time(message.createdAt)}</time>
        {tick ? (
          <span className={`tick tick-${tick.toLowerCase()}`} aria-label={tick} title={tick}>
            {tick === 'Sent' ? '✓' : '✓✓'}
          </span>
        ) : null}
      </header>
      {message.kind === 'attachment' && message.attachment ? (
        <Attachment attachment={message.attachment} />
      ) : message.kind === 'card' && message.card ? (
        <Card card={message.card} />
      ) : message.sender.kind === 'bot' && hasBotContent(message) ? (
        <BotContent message={message} answer={cardAnswer} />
      ) : (
        <Body text={message.body} mention={message.kind === 'note' || message.kind === 'whisper'} names={mentionNames} />
      )}
    </article>
  );
}

function PendingMessageLine({ line, mentionNames = [], onRetry, onDiscard }: Props & { line: PendingLine }) {
  const label = line.status === 'sending' ? 'Sending…' : line.status === 'offline' ? 'Waiting for the connection' : 'Not sent';
  return (
    <article className={`msg msg-staff msg-mine msg-pending msg-kind-${line.kind}`} aria-label={`You, ${label}`}>
      <header className="msg-meta">
        {line.kind === 'note' ? <span className="msg-tag tag-note">Internal note</span> : null}
        <span className="msg-who">You</span>
        <span className="tick tick-pending">{label}</span>
      </header>
      <Body text={line.body} mention={line.kind !== 'text'} names={mentionNames} />
      {line.status === 'failed' ? (
        <div className="row">
          <span role="alert" className="inline-error small">
            {line.error}
          </span>
          {onRetry ? (
            <button type="button" className="button" onClick={() => onRetry(line.clientMessageId)}>
              Retry
            </button>
          ) : null}
          {onDiscard ? (
            <button type="button" className="button ghost" onClick={() => onDiscard(line.clientMessageId)}>
              Discard
            </button>
          ) : null}
        </div>
      ) : null}
    </article>
  );
}

/** A card the agent sent (appointment, article, notice), as the patient sees it; its links open in the browser. */
function Card({ card }: { card: NonNullable<MessageView['card']> }) {
  return (
    <section className={`chat-card chat-card-${card.type}`} aria-label={`Card: ${card.title}`}>
      <p className="chat-card-title">{card.title}</p>
      {card.subtitle ? <p className="chat-card-subtitle">{card.subtitle}</p> : null}
      {card.text ? <p className="chat-card-text">{card.text}</p> : null}
      {card.facts && card.facts.length > 0 ? (
        <dl className="chat-card-facts">
          {card.facts.map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {card.actions && card.actions.length > 0 ? (
        <p className="chat-card-actions">
          {card.actions.map((a) => (
            <span key={a.url} className="chat-card-action">
              {a.label}
            </span>
          ))}
        </p>
      ) : null}
    </section>
  );
}

function Attachment({ attachment }: { attachment: NonNullable<MessageView['attachment']> }) {
  const dispatch = useAppDispatch();
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isImage = attachment.contentType.startsWith('image/');
  const sizeText = attachment.size >= 1024 * 1024 ? `${(attachment.size / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(attachment.size / 1024))} KB`;

  useEffect(() => {
    if (!isImage) return;
    let url: string | null = null;
    let cancelled = false;
    void dispatch(downloadBlob(attachment.url)).then((result) => {
      if (cancelled) return;
      if (!result.ok) {
        setError(`Could not load the image: ${result.message}.`);
        return;
      }
      url = URL.createObjectURL(result.blob);
      setSrc(url);
    });
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [attachment.url, isImage, dispatch]);

  const download = async () => {
    const result = await dispatch(downloadBlob(attachment.url));
    if (result.ok) saveBlob(result.blob, attachment.fileName);
    else setError(`Could not download ${attachment.fileName}: ${result.message}.`);
  };

  return (
    <div className="attachment">
      {isImage && src ? (
        <img
          src={src}
          alt={attachment.fileName}
          className="attachment-image"
          onError={() => setError('The image cannot be shown here.')}
        />
      ) : null}
      <button type="button" className="button attachment-link" onClick={() => void download()}>
        Download {attachment.fileName} ({sizeText})
      </button>
      {error ? (
        <span role="alert" className="inline-error small">
          {error}
        </span>
      ) : null}
    </div>
  );
}
