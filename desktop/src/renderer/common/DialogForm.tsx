import type { ReactNode } from 'react';
import { InlineError } from './InlineError.js';
import { Modal } from './Modal.js';

interface Props {
  title: string;
  onClose(): void;
  /** Called on submit (the page does not reload); the dialog stays open until the caller closes it. */
  onSubmit(): void | Promise<void>;
  /** The confirm button's text, e.g. "Transfer". */
  confirmLabel: string;
  error: string | null;
  /** Disables the confirm button while the request runs. */
  busy: boolean;
  /**
   * For actions that cannot be undone: an alertdialog, a danger-styled confirm button, and Cancel as
   * the focused default.
   */
  destructive?: boolean;
  /** The fields; one may carry `data-autofocus`. */
  children: ReactNode;
}

/** A modal form: title, fields, the error of the last attempt, Cancel and a confirm button. */
export function DialogForm({ title, onClose, onSubmit, confirmLabel, error, busy, destructive = false, children }: Props) {
  return (
    <Modal title={title} role={destructive ? 'alertdialog' : 'dialog'} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void onSubmit();
        }}
      >
        {children}
        <InlineError message={error} />
        <div className="row end">
          <button type="button" className="button" onClick={onClose} data-autofocus={destructive ? true : undefined}>
            Cancel
          </button>
          <button type="submit" className={destructive ? 'button danger' : 'button primary'} disabled={busy}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
