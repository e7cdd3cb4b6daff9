/**
 * The first screen's form: a visitor's name, the reason for contacting us (a choice and more in
 * their words, or their words alone), and optionally a date of birth; a signed-in patient may give
 * a reason only. Checked in the browser (forms.ts) and again by the server; errors are shown at
 * each field and the first one gets focus. The values stay when a start fails.
 */
import { FORM_LIMITS } from '../../../src/contracts/forms.js';
import type { PrechatAnswers } from '../../../src/contracts/conversations.js';
import { h } from './dom.js';
import { field, showErrors, type Field } from './fields.js';
import { checkPrechat, localToday, type PrechatField, type PrechatRules } from './forms.js';
import type { Strings } from './strings.js';

export interface PrechatFormHandle {
  form: HTMLFormElement;
  setBusy(busy: boolean): void;
  focusFirst(): void;
  reset(): void;
}

const ORDER: readonly PrechatField[] = ['name', 'reason', 'reasonDetail', 'dateOfBirth'];

export function createPrechatForm(options: {
  ids: string;
  strings: Strings;
  rules: PrechatRules;
  onSubmit(answers: { displayName: string; prechat: PrechatAnswers }): void;
}): PrechatFormHandle {
  const { ids, strings: t, rules } = options;
  const fields: Partial<Record<PrechatField, Field>> = {};
  if (rules.visitor) {
    fields.name = field(`${ids}-name`, t.nameLabel, h('input', { type: 'text', autocomplete: 'name', maxLength: FORM_LIMITS.name }));
  }
  if (rules.askReason) {
    const optional = rules.visitor ? undefined : t.optional;
    if (rules.reasons.length > 0) {
      const select = h('select', {}, h('option', { value: '' }, t.reasonChoose), ...rules.reasons.map((r) => h('option', { value: r }, r)));
      fields.reason = field(`${ids}-reason`, t.reasonLabel, select, optional ? { optional } : {});
      // One line, so Enter sends the form from it as from the other fields.
      fields.reasonDetail = field(`${ids}-detail`, t.reasonDetailLabel, h('input', { type: 'text', maxLength: FORM_LIMITS.reasonDetail }), { optional: t.optional });
    } else {
      fields.reason = field(`${ids}-reason`, t.reasonLabel, h('input', { type: 'text', maxLength: FORM_LIMITS.reason }), optional ? { optional } : {});
    }
    if (rules.visitor && rules.askDateOfBirth) {
      const dob = h('input', { type: 'date', min: '1900-01-01', max: localToday() });
      dob.setAttribute('autocomplete', 'bday');
      fields.dateOfBirth = field(`${ids}-dob`, t.dobLabel, dob, { optional: t.optional, hint: t.dobHint });
    }
  }
  const submit = h('button', { type: 'submit', className: 'cb-primary' }, t.startChat);
  const form = h(
    'form',
    { className: 'cb-name cb-form', 'aria-label': rules.askReason ? t.prechatForm : t.namePrompt, noValidate: true },
    rules.askReason ? null : h('p', { className: 'cb-hint' }, t.namePrompt),
    ...ORDER.map((key) => fields[key]?.row ?? null),
    h('p', { className: 'cb-hint' }, t.nameHint),
    submit,
  );
  const value = (key: PrechatField) => fields[key]?.control.value ?? '';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // The date input's value is '' both when empty and when half typed: its validity says which.
    const dob = fields.dateOfBirth?.control as HTMLInputElement | undefined;
    const partialDate = dob && dob.value === '' && dob.validity.badInput;
    const checked = checkPrechat(
      { name: value('name'), reason: value('reason'), reasonDetail: value('reasonDetail'), dateOfBirth: partialDate ? 'incomplete' : value('dateOfBirth') },
      rules,
      t,
      localToday(),
    );
    if (!checked.ok) {
      showErrors(fields, ORDER, checked.errors);
      return;
    }
    showErrors(fields, ORDER, {});
    options.onSubmit(checked.value);
  });
  return {
    form,
    setBusy(busy) {
      form.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input, select, textarea').forEach((el) => (el.disabled = busy));
    },
    focusFirst() {
      const first = fields.name ?? fields.reason;
      if (first) first.control.focus();
      else submit.focus();
    },
    reset() {
      form.reset();
      showErrors(fields, ORDER, {});
    },
  };
}
