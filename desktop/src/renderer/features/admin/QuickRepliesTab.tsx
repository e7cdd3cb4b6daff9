/**
 * Quick replies: what agents insert with `/q <shortcut>` in the composer. Admins and supervisors
 * edit the clinic's list (supervisors may change nothing else in the conversations settings); each
 * agent keeps their own in Settings, offered before these.
 */
import type { FormEvent } from 'react';
import type { ConversationSettings } from '@carebridge/server/contracts';
import { QuickReplyEditor, repeatedShortcut } from '../../common/QuickReplyEditor.js';
import { SaveBar } from './SaveBar.js';
import { useSection } from './use-section.js';

export default function QuickRepliesTab() {
  const editor = useSection('conversations');
  const settings = editor.draft as ConversationSettings | undefined;
  if (editor.loading || !settings) return editor.loadError ? <p role="alert" className="inline-error">{editor.loadError}</p> : <p className="loading" role="status">Loading quick replies…</p>;

  const replies = settings.quickReplies;
  const duplicate = repeatedShortcut(replies);
  const describePath = (path: string) => {
    const m = /^quickReplies\.(\d+)\.?(.*)$/.exec(path);
    return m ? `Quick reply ${Number(m[1]) + 1}${replies[Number(m[1])]?.title ? ` “${replies[Number(m[1])]!.title}”` : ''}${m[2] ? ` (${m[2]})` : ''}` : path;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void editor.save();
  };

  return (
    <form className="admin-form" onSubmit={submit} aria-label="Quick replies">
      <div className="card">
        <QuickReplyEditor replies={replies} onChange={(next) => editor.setDraft({ ...settings, quickReplies: next })} label="The clinic’s quick replies" max={500} />
      </div>
      <SaveBar editor={editor} label="Save quick replies" describePath={describePath} blocked={duplicate ? `The shortcut “${duplicate}” is used twice.` : null} />
    </form>
  );
}
