import { useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { shortReason } from '../../common/assignment-reason.js';
import { navigate } from '../../common/router.js';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import { acceptOffer, declineOffer } from './inbox-actions.js';
import { focusComposerSoon } from './focus.js';
import { selectOffers, type InboxOffer } from './inbox-slice.js';
import { priorityLabel } from './labels.js';
import { formatDuration, secondsLeft, useNow } from './timers.js';
import { HandoffPacketView } from '../../common/transcript/HandoffPacketView.js';
import { InlineError } from '../../common/InlineError.js';


/** Pending offers, oldest first; virtualized so a flood of offers stays cheap. */
export function OfferList({ atCapacity }: { atCapacity: boolean }) {
  const offers = useAppSelector(selectOffers);
  const now = useNow(1000);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: offers.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 220,
    overscan: 4,
    getItemKey: (index) => offers[index]!.offerId,
  });
  if (offers.length === 0) return null;
  return (
    <section className="offers" aria-labelledby="offers-title">
      <h2 id="offers-title">
        Offers <span className="count-pill">{offers.length}</span>
      </h2>
      <div ref={scrollRef} className="offers-scroll" role="list" aria-label="Offers waiting for an answer">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => (
            <div
              key={item.key}
              role="listitem"
              data-index={item.index}
              ref={virtualizer.measureElement}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
            >
              <OfferCard offer={offers[item.index]!} now={now} atCapacity={atCapacity} />
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}

function OfferCard({ offer, now, atCapacity }: { offer: InboxOffer; now: number; atCapacity: boolean }) {
  const dispatch = useAppDispatch();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const left = secondsLeft(offer.expiresAt, now);
  const titleId = `offer-${offer.offerId}`;
  const accept = async () => {
    setBusy(true);
    const outcome = await dispatch(acceptOffer(offer.offerId));
    setBusy(false);
    if (outcome.ok) {
      dispatch(statusShown('Offer accepted.'));
      navigate(`conversations/${outcome.conversationId}`);
      focusComposerSoon();
    } else {
      setError(outcome.message);
      dispatch(statusShown(outcome.message));
    }
  };
  const decline = async () => {
    setBusy(true);
    const message = await dispatch(declineOffer(offer.offerId));
    setBusy(false);
    if (message) setError(message);
    else dispatch(statusShown('Offer declined: it goes to the next agent.'));
  };
  return (
    <article className={`offer-card priority-${offer.priority}`} aria-labelledby={titleId}>
      <header className="offer-head">
        <h3 id={titleId}>
          Offer: {offer.queue} queue
        </h3>
        <span className={`priority-badge p${offer.priority}`}>{priorityLabel(offer.priority)}</span>
        <span className={left <= 10 ? 'countdown urgent' : 'countdown'} aria-label={`Expires in ${left} seconds`}>
          {formatDuration(left * 1000)}
        </span>
      </header>
      <InlineError message={error} />
      <div className="row">
        <button type="button" className="button primary" disabled={busy || left === 0} onClick={() => void accept()} aria-keyshortcuts="Control+Shift+A Meta+Shift+A">
          Accept
        </button>
        <button type="button" className="button" disabled={busy || left === 0} onClick={() => void decline()}>
          Decline
        </button>
        {atCapacity ? <span className="muted small">All your session tabs are in use.</span> : null}
      </div>
      {offer.packet ? <HandoffPacketView packet={offer.packet} /> : <p className="muted small">No handoff details.</p>}
      <p className="muted small why">{shortReason(offer.reason)}</p>
    </article>
  );
}
