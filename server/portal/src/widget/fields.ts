/**
 * A labelled form field with its hint and its error, tied to the control with aria-describedby and
 * aria-invalid, so a screen reader hears the error when the field gets focus.
 */
import { h, setText } from './dom.js';

export type FieldControl = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface Field<C extends FieldControl = FieldControl> {
  row: HTMLElement;
  control: C;
  setError(message: string | undefined): void;
}

export function field<C extends FieldControl>(
  id: string,
  label: string,
  control: C,
  options: { hint?: string; optional?: string; sharedHintId?: string } = {},
): Field<C> {
  control.id = id;
  const hint = options.hint ? h('p', { className: 'cb-hint', id: `${id}-hint` }, options.hint) : null;
  const hintId = hint?.id ?? options.sharedHintId ?? null;
  const error = h('p', { className: 'cb-field-error', id: `${id}-error`, hidden: true });
  const describe = (withError: boolean) => {
    const ids = [withError ? error.id : null, hintId].filter(Boolean).join(' ');
    if (ids) control.setAttribute('aria-describedby', ids);
    else control.removeAttribute('aria-describedby');
  };
  describe(false);
  const row = h(
    'div',
    { className: 'cb-field' },
    h('label', { htmlFor: id }, label, options.optional ? h('span', { className: 'cb-optional' }, ` ${options.optional}`) : null),
    control,
    error,
    hint,
  );
  return {
    row,
    control,
    setError(message) {
      setText(error, message ?? '');
      error.hidden = !message;
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
      describe(!!message);
    },
  };
}

/** Shows each field's error (clearing the others) and focuses the first field in error; false when there were none. */
export function showErrors<F extends string>(fields: Partial<Record<F, Field>>, order: readonly F[], errors: Partial<Record<F, string>>): boolean {
  let first: Field | null = null;
  for (const key of order) {
    const f = fields[key];
    if (!f) continue;
    f.setError(errors[key]);
    if (errors[key] && !first) first = f;
  }
  first?.control.focus();
  return first !== null;
}
