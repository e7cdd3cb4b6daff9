import type { ReactNode } from 'react';

/** A problem the patient should read now (announced by screen readers as it appears). */
export function Alert({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <p id={id} role="alert" className="portal-alert">
      {children}
    </p>
  );
}
