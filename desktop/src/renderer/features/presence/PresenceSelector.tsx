import { useId, useState } from 'react';
import { PRESENCE_STATES, type PresenceState } from '@carebridge/server/contracts';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { MISSED_OFFERS_MESSAGE, selectChosenPresence, selectPresencePause } from './presence-slice.js';
import { choosePresence, PRESENCE_LABELS } from './choose-presence.js';

export function PresenceSelector() {
  const chosen = useAppSelector(selectChosenPresence);
  const paused = useAppSelector(selectPresencePause);
  const dispatch = useAppDispatch();
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  return (
    <div className={`presence presence-${chosen}`}>
      <span className="dot" aria-hidden="true" />
      <label htmlFor={id} className="visually-hidden">
        Presence
      </label>
      <select
        id={id}
        aria-describedby={paused ? `${id}-paused` : undefined}
        className="presence-select"
        value={chosen}
        onChange={(e) => {
          void dispatch(choosePresence(e.target.value as PresenceState)).then((message) => setError(message));
        }}
      >
        {PRESENCE_STATES.map((state) => (
          <option key={state} value={state}>
            {PRESENCE_LABELS[state]}
          </option>
        ))}
      </select>
      {paused ? (
        <span id={`${id}-paused`} className="presence-paused" title={MISSED_OFFERS_MESSAGE}>
          New chats paused
          <span className="visually-hidden">: {MISSED_OFFERS_MESSAGE}</span>
        </span>
      ) : null}
      {error ? (
        <span role="alert" className="visually-hidden">
          {error}
        </span>
      ) : null}
    </div>
  );
}
