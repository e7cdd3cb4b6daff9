/**
 * What the widget shows instead of a chat when every queue is closed: when we open again, and a
 * form to leave a message (a visitor's name, an e-mail address or a phone number, the message). The
 * server turns it into a task for the team; the widget then says thank you, with the opening time.
 */
import { FORM_LIMITS } from '../../../src/contracts/forms.js';
import type { OfflineMessageRequest } from '../../../src/contracts/widget.js';
import { h, setText } from './dom.js';
import { field, showErrors, type Field } from './fields.js';
import { checkOfflineMessage, type OfflineField } from './forms.js';
import type { Language, Strings } from './strings.js';

export interface OfflineFormHandle {
  element: HTMLElement;
  setOpening(when: string | null): void;
  focusFirst(): void;
}

const ORDER: readonly OfflineField[] = ['name', 'email', 'phone', 'message'];

export function createOfflineForm(options: {
  ids: string;
  strings: Strings;
  language: Language;
  visitor: boolean;
  send(message: OfflineMessageRequest): Promise<void>;
}): OfflineFormHandle {
  const { ids, strings: t, visitor } = options;
  let opening: string | null = null;
  const fields: Partial<Record<OfflineField, Field>> = {};
  // One hint for both contact fields, above them: each field names it.
  const contactHint = h('p', { className: 'cb-hint', id: `${ids}-off-contact-hint` }, visitor ? t.contactHint : t.patientContactHint);
  if (visitor) fields.name = field(`${ids}-off-name`, t.nameLabel, h('input', { type: 'text', autocomplete: 'name', maxLength: FORM_LIMITS.name }));
  fields.email = field(`${ids}-off-email`, t.emailLabel, h('input', { type: 'email', autocomplete: 'email', maxLength: FORM_LIMITS.email }), {
    sharedHintId: contactHint.id,
    ...(visitor ? {} : { optional: t.optional }),
  });
  fields.phone = field(`${ids}-off-phone`, t.phoneLabel, h('input', { type: 'tel', autocomplete: 'tel', maxLength: FORM_LIMITS.phone }), {
    sharedHintId: contactHint.id,
    ...(visitor ? {} : { optional: t.optional }),
  });
  fields.message = field(`${ids}-off-message`, t.offlineMessageLabel, h('textarea', { rows: 4, maxLength: FORM_LIMITS.message }));

  const heading = h('h3', { id: `${ids}-off-title` }, t.offlineTitle);
  const intro = h('p', { className: 'cb-offline-intro' }, t.offlineIntro(null));
  const problem = h('p', { className: 'cb-alert', role: 'alert' });
  const submit = h('button', { type: 'submit', className: 'cb-primary' }, t.sendOffline);
  const form = h(
    'form',
    { className: 'cb-form', 'aria-labelledby': `${ids}-off-title`, noValidate: true },
    heading,
    intro,
    fields.name?.row ?? null,
    contactHint,
    fields.email.row,
    fields.phone.row,
    fields.message.row,
    problem,
    submit,
  );
  const thanksTitle = h('h3', { tabIndex: -1 }, t.offlineThanks);
  const thanksBody = h('p', {}, t.offlineThanksBody(null));
  const thanks = h('div', { className: 'cb-offline-thanks', hidden: true }, thanksTitle, thanksBody);
  const element = h('div', { className: 'cb-offline' }, form, thanks);

  const value = (key: OfflineField) => fields[key]?.control.value ?? '';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const checked = checkOfflineMessage({ name: value('name'), email: value('email'), phone: value('phone'), message: value('message') }, visitor, t, options.language);
    setText(problem, '');
    if (!checked.ok) {
      showErrors(fields, ORDER, checked.errors);
      return;
    }
    showErrors(fields, ORDER, {});
    submit.disabled = true;
    setText(submit, t.sendingOffline);
    options.send(checked.value).then(
      () => {
        form.hidden = true;
        thanks.hidden = false;
        thanksTitle.focus();
      },
      (err: unknown) => {
        // Nothing typed is lost: the form stays as it was.
        setText(problem, t.offlineFailed(err instanceof Error ? err.message : t.cannotReach));
        submit.disabled = false;
        setText(submit, t.sendOffline);
      },
    );
  });

  return {
    element,
    setOpening(when) {
      opening = when;
      setText(intro, t.offlineIntro(opening));
      setText(thanksBody, t.offlineThanksBody(opening));
    },
    focusFirst() {
      if (!thanks.hidden) thanksTitle.focus();
      else (fields.name ?? fields.email)?.control.focus();
    },
  };
}
