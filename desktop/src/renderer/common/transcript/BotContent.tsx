/**
 * A bot message's cards and suggested actions in the transcript, read-only, so an agent taking over
 * sees what the patient saw: Adaptive Cards drawn by the `adaptivecards` package (loaded with the
 * first card, into a DOM node: useRef + useEffect) with their inputs disabled, hero cards, and the
 * suggested actions as chips nobody can press. A card the patient submitted shows their answers in its inputs. A card that cannot be drawn shows its fallback text.
 */
import { useEffect, useRef, useState } from 'react';
import { ADAPTIVE_CARD_TYPE, HERO_CARD_TYPE, bodyIsCardWords, cardFallbackText, cardWords, readHeroCard, withSubmittedValues, type BotCardAttachment, type MessageView } from '@carebridge/server/contracts';
import { useAppSelector } from '../../app/hooks.js';

export function hasBotContent(message: MessageView): boolean {
  return (message.bot?.attachments?.length ?? 0) > 0 || (message.bot?.suggestedActions?.length ?? 0) > 0;
}

function cardName(attachment: BotCardAttachment): string {
  const words = cardWords(attachment.content) || cardFallbackText(attachment);
  const first = (words.split('\n').find((line) => line.trim() !== '') ?? '').replace(/\*\*|__/g, '').trim();
  return first ? `Bot card: ${first.length > 80 ? `${first.slice(0, 79)}…` : first}` : 'Bot card';
}

/** `answer`: the inputs the patient submitted with this message's card, shown in its inputs. */
export function BotContent({ message, answer }: { message: MessageView; answer?: Record<string, unknown> | undefined }) {
  const attachments = (message.bot?.attachments ?? []) as BotCardAttachment[];
  const actions = message.bot?.suggestedActions ?? [];
  return (
    <>
      {bodyIsCardWords(message.body, attachments) ? null : <p className="msg-body">{message.body}</p>}
      {attachments.map((attachment, i) => (
        <section key={i} className="chat-card bot-card" aria-label={cardName(attachment)}>
          {attachment.contentType === ADAPTIVE_CARD_TYPE ? <AdaptiveCardView attachment={attachment} answer={answer} /> : attachment.contentType === HERO_CARD_TYPE ? <HeroCard attachment={attachment} /> : <Fallback attachment={attachment} />}
        </section>
      ))}
      {actions.length > 0 ? (
        <ul className="bot-suggested" aria-label="Suggested replies offered to the patient">
          {actions.map((action, i) => (
            <li key={i} className="chat-card-action">
              {action.title || action.value}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

function Fallback({ attachment }: { attachment: BotCardAttachment }) {
  return <p className="chat-card-text">{cardFallbackText(attachment) || 'This card cannot be shown here.'}</p>;
}

function AdaptiveCardView({ attachment, answer }: { attachment: BotCardAttachment; answer: Record<string, unknown> | undefined }) {
  const host = useRef<HTMLDivElement>(null);
  const serverUrl = useAppSelector((state) => state.session.serverUrl);
  const [failed, setFailed] = useState(false);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    let cancelled = false;
    import('./adaptive-card.js')
      .then(({ renderReadOnlyAdaptiveCard }) => {
        if (cancelled || !host.current) return;
        host.current.replaceChildren(renderReadOnlyAdaptiveCard(answer ? withSubmittedValues(attachment.content, answer) : attachment.content, serverUrl || window.location.origin));
        setDrawn(true);
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
    };
  }, [attachment, answer, serverUrl]);
  return (
    <>
      {/* Until the card is drawn (or if it cannot be), its words stand in. */}
      {drawn && !failed ? null : <Fallback attachment={attachment} />}
      <div ref={host} className="bot-adaptive-card" hidden={failed} />
    </>
  );
}

function HeroCard({ attachment }: { attachment: BotCardAttachment }) {
  const hero = readHeroCard(attachment.content);
  if (!hero) return <Fallback attachment={attachment} />;
  return (
    <>
      {/* The desk's CSP loads no outside images: an image shows as its alt text. */}
      {hero.images.map((image, i) =>
        image.alt ? (
          <p key={i} className="chat-card-subtitle">
            [{image.alt}]
          </p>
        ) : null,
      )}
      {hero.title ? <p className="chat-card-title">{hero.title}</p> : null}
      {hero.subtitle ? <p className="chat-card-subtitle">{hero.subtitle}</p> : null}
      {hero.text ? <p className="chat-card-text">{hero.text}</p> : null}
      {hero.buttons.length > 0 ? (
        <p className="chat-card-actions">
          {hero.buttons.map((button, i) => (
            <span key={i} className="chat-card-action">
              {button.title}
            </span>
          ))}
        </p>
      ) : null}
    </>
  );
}
