import { useEffect, useId, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  onClose(): void;
  children: ReactNode;
  /** alertdialog for warnings that need an answer. */
  role?: 'dialog' | 'alertdialog';
  className?: string;
}

/**
 * A modal on the native <dialog>: focus is trapped, Escape closes, the title names it. The control
 * marked `data-autofocus` gets the focus; closing puts it back on the control that opened the dialog
 * (or on the main area when that control is gone), never on <body>.
 */
export function Modal({ title, onClose, children, role = 'dialog', className }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    // showModal focuses the first control; a dialog may name a safer default (data-autofocus).
    dialog?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      dialog?.close();
      // React removes the dialog before this runs, so the browser does not restore focus itself.
      if (opener?.isConnected) opener.focus();
      else document.getElementById('main')?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      role={role}
      aria-labelledby={titleId}
      className={`modal ${className ?? ''}`}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId} className="modal-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
