/**
 * The conversation view's "Smart assist" context panel: after each patient message, what helps now —
 * knowledge articles, similar resolved conversations, a script, replies and actions — each with its
 * confidence and the words it matched, and buttons that do it (open or send the article, open the
 * conversation in history, switch the script, put the reply in the message box, book, send the survey,
 * transfer to the nurse line). Agents say whether a suggestion helped; using one counts as "used".
 */
import { useState } from 'react';
import type { AssistRating, AssistSuggestion, AssistSuggestionKind } from '@carebridge/server/contracts';
import { requestErrorText } from '../../api/request-error.js';
import { useAppDispatch } from '../../app/hooks.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import { insertIntoComposer } from '../../common/composer-insert.js';
import type { ContextPanelProps } from '../../common/context-panels.js';
import { requestContextPanel } from '../../common/context-requests.js';
import { InlineError } from '../../common/InlineError.js';
import { hrefFor } from '../../common/router.js';
import { conversationAction } from '../conversations/index.js';
import { useGetAssistQuery, useRateSuggestionMutation, useSwitchToScriptMutation } from './assist-api.js';

const GROUPS: { kind: AssistSuggestionKind; title: string }[] = [
  { kind: 'action', title: 'Suggested actions' },
  { kind: 'reply', title: 'Suggested replies' },
  { kind: 'article', title: 'Knowledge articles' },
  { kind: 'script', title: 'Agent script' },
  { kind: 'conversation', title: 'Similar resolved conversations' },
];
const OPEN_STATES = new Set(['queued', 'offered', 'active', 'waiting']);

export default function SmartAssistPanel({ conversationId, conversation }: ContextPanelProps) {
  const { data, isLoading, error } = useGetAssistQuery(conversationId);
  const update = data?.update ?? null;
  const [rate] = useRateSuggestionMutation();
  const [ratings, setRatings] = useState<Record<string, AssistRating>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const said = (suggestion: AssistSuggestion, rating: AssistRating) => {
    setRatings((r) => ({ ...r, [suggestion.id]: rating }));
    rate({ conversationId, suggestionId: suggestion.id, kind: suggestion.kind, rating })
      .unwrap()
      .catch((err: unknown) => setProblem(`Could not save your rating: ${requestErrorText(err) ?? 'try again'}.`));
  };

  if (isLoading) {
    return (
      <p className="loading small" role="status">
        Loading suggestions…
      </p>
    );
  }
  if (!update) {
    return (
      <div className="assist-panel">
        <InlineError message={error ? (requestErrorText(error) ?? 'Suggestions could not be loaded.') : null} />
        <p className="muted small">
          {data && !data.enabled ? 'Smart assist is turned off on this server.' : OPEN_STATES.has(conversation.state) ? 'Suggestions appear here after the patient’s next message: articles, replies, actions and a script that fit what they ask.' : 'No suggestions for this conversation.'}
        </p>
      </div>
    );
  }

  return (
    <div className="assist-panel" aria-live="polite">
      <InlineError message={problem} />
      {update.suggestions.length === 0 ? <p className="muted small">Nothing to suggest for the patient’s last message.</p> : null}
      {GROUPS.map(({ kind, title }) => {
        const items = update.suggestions.filter((s) => s.kind === kind);
        if (items.length === 0) return null;
        return (
          <div key={kind} className="assist-group" role="group" aria-labelledby={`assist-${kind}-${conversationId}`}>
            <h4 className="small" id={`assist-${kind}-${conversationId}`}>
              {title}
            </h4>
            <ul className="assist-list">
              {items.map((s) => (
                <li key={s.id} className="assist-item">
                  <div className="assist-item-head">
                    <span className="assist-title">{s.title}</span>
                    <span className="badge small" title="How sure the suggestion is" aria-label={`Confidence ${Math.round(s.confidence * 100)} percent`}>
                      {Math.round(s.confidence * 100)} %
                    </span>
                  </div>
                  {s.kind !== 'reply' && s.detail ? <p className="muted small assist-detail">{s.detail}</p> : null}
                  <p className="muted small assist-reason">{s.reason.charAt(0).toUpperCase() + s.reason.slice(1)}</p>
                  <div className="row assist-actions">
                    <SuggestionAction suggestion={s} conversationId={conversationId} onUsed={() => said(s, 'used')} onProblem={setProblem} />
                    <button type="button" className="button ghost small" aria-pressed={ratings[s.id] === 'helpful'} aria-label={`Helpful: ${s.title}`} onClick={() => said(s, 'helpful')}>
                      Helpful
                    </button>
                    <button type="button" className="button ghost small" aria-pressed={ratings[s.id] === 'not-helpful'} aria-label={`Not helpful: ${s.title}`} onClick={() => said(s, 'not-helpful')}>
                      Not helpful
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </div>
  );
}

function SuggestionAction({ suggestion: s, conversationId, onUsed, onProblem }: { suggestion: AssistSuggestion; conversationId: string; onUsed(): void; onProblem(message: string | null): void }) {
  const dispatch = useAppDispatch();
  const [switchScript, { isLoading: switching }] = useSwitchToScriptMutation();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const panelMissing = (what: string) => onProblem(`The ${what} panel is not available here.`);
  const act = async (run: () => Promise<string | null>, done: string) => {
    setBusy(true);
    onProblem(null);
    const failure = await run();
    setBusy(false);
    if (failure) onProblem(failure);
    else {
      onUsed();
      dispatch(statusShown(done));
    }
  };

  switch (s.kind) {
    case 'reply':
      return (
        <button
          type="button"
          className="button small"
          aria-label={`Insert reply: ${s.title}`}
          onClick={() => {
            if (insertIntoComposer(conversationId, s.reply?.text ?? s.title)) onUsed();
            else onProblem('The message box is not open for this conversation.');
          }}
        >
          Insert
        </button>
      );
    case 'article':
      return (
        <>
          <button
            type="button"
            className="button small"
            aria-label={`Open article: ${s.title}`}
            onClick={() => (requestContextPanel('knowledge', { conversationId, article: s.article!.id }) ? onUsed() : panelMissing('Knowledge'))}
          >
            Open
          </button>
          <button
            type="button"
            className="button small"
            aria-label={`Send article to the patient: ${s.title}`}
            onClick={() => (requestContextPanel('knowledge', { conversationId, article: s.article!.id, send: true }) ? onUsed() : panelMissing('Knowledge'))}
          >
            Send…
          </button>
        </>
      );
    case 'conversation':
      return (
        <a className="button small" href={hrefFor(`history/${s.conversation!.id}`)} onClick={onUsed} aria-label={`Open the resolved conversation in history: ${s.title}`}>
          Open in history
        </a>
      );
    case 'script':
      return (
        <button
          type="button"
          className="button small"
          disabled={switching}
          aria-label={`Use script: ${s.title}`}
          onClick={() =>
            void switchScript({ conversationId, scriptId: s.script!.id })
              .unwrap()
              .then(() => {
                onUsed();
                dispatch(statusShown(`Script “${s.title}” loaded.`));
              })
              .catch((err: unknown) => onProblem(`Could not switch the script: ${requestErrorText(err) ?? 'try again'}.`))
          }
        >
          Use script
        </button>
      );
    case 'action': {
      const type = s.action?.type;
      if (type === 'book-appointment') {
        return (
          <button type="button" className="button small" onClick={() => (requestContextPanel('appointments', { conversationId, ...(s.action?.specialty ? { specialty: s.action.specialty } : {}) }) ? onUsed() : panelMissing('Appointments'))}>
            Open appointments
          </button>
        );
      }
      if (type === 'send-survey') {
        return confirming ? (
          <>
            <button type="button" className="button small primary" disabled={busy} onClick={() => void act(() => dispatch(conversationAction('conversation:wrapup', { conversationId }, 'end the chat')), 'Chat ended: the survey is on its way.')}>
              End chat and send survey
            </button>
            <button type="button" className="button small" onClick={() => setConfirming(false)}>
              Not yet
            </button>
          </>
        ) : (
          <button type="button" className="button small" onClick={() => setConfirming(true)}>
            Send survey…
          </button>
        );
      }
      if (type === 'escalate-nurse') {
        const queueId = s.action?.queue ?? 'nurse-line';
        return confirming ? (
          <>
            <button
              type="button"
              className="button small primary"
              disabled={busy}
              onClick={() => void act(() => dispatch(conversationAction('conversation:transfer', { conversationId, target: { kind: 'queue', queueId }, note: 'Escalated by smart assist: symptoms for a nurse.' }, 'transfer the conversation')), 'Transferred to the nurse line.')}
            >
              Transfer to the nurse line
            </button>
            <button type="button" className="button small" onClick={() => setConfirming(false)}>
              Not yet
            </button>
          </>
        ) : (
          <button type="button" className="button small" onClick={() => setConfirming(true)}>
            Escalate…
          </button>
        );
      }
      return null;
    }
    default:
      return null;
  }
}
