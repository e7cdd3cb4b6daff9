/**
 * The follow-up survey as a form: CSAT 1–5, NPS 0–10 and yes/no as toggle buttons, free text as a
 * text area; questions appear and disappear as the skip rules say, while the patient answers. Used
 * in the chat panel (answers go over the socket) and on the portal's survey page (over REST).
 */
import type { SurveyAnswers, SurveyQuestion } from '../../../src/contracts/surveys.js';
import { h, setText } from './dom.js';
import type { Strings } from './strings.js';
import { answersToSubmit, choicesFor, visibleQuestions } from './survey.js';

export interface SurveyFormOptions {
  survey: { title: string; questions: SurveyQuestion[] };
  strings: Strings;
  onSubmit(answers: SurveyAnswers): void | Promise<void>;
  onSkip?(): void;
}

export interface SurveyFormHandle {
  setState(state: 'open' | 'sending' | 'done'): void;
  destroy(): void;
}

let formCounter = 0;

export function mountSurveyForm(container: HTMLElement, options: SurveyFormOptions): SurveyFormHandle {
  const t = options.strings;
  const ids = `cb-survey-${++formCounter}`;
  const answers: Record<string, SurveyAnswers[string] | undefined> = {};
  const fieldsets = new Map<string, HTMLFieldSetElement>();
  const problem = h('p', { className: 'cb-alert', role: 'alert' });
  const submit = h('button', { type: 'submit', className: 'cb-primary' }, t.surveySubmit);
  const skip = options.onSkip ? h('button', { type: 'button' }, t.surveySkip) : null;
  const thanks = h('h3', { tabIndex: -1, hidden: true }, t.surveyThanks);
  const heading = h('h3', { id: `${ids}-title` }, options.survey.title);

  const refresh = () => {
    const visible = new Set(visibleQuestions(options.survey.questions, answers).map((q) => q.id));
    for (const [id, fieldset] of fieldsets) fieldset.hidden = !visible.has(id);
  };

  const questions = options.survey.questions.map((q) => {
    const legendId = `${ids}-${q.id}`;
    const fieldset = h('fieldset', { 'aria-labelledby': legendId });
    const legend = h('legend', { id: legendId }, q.text, q.required ? ` ${t.required}` : '');
    fieldset.append(legend);
    if (q.type === 'text') {
      const area = h('textarea', { maxLength: 2000, rows: 3, 'aria-labelledby': legendId });
      area.addEventListener('input', () => {
        answers[q.id] = area.value;
        refresh();
      });
      fieldset.append(area);
    } else {
      const row = h('div', { className: 'cb-choices' });
      const buttons = choicesFor(q.type).map((value) => {
        const label = typeof value === 'boolean' ? (value ? t.yes : t.no) : String(value);
        const name = typeof value === 'boolean' ? label : q.type === 'csat' ? t.csatLabel(value) : t.npsLabel(value);
        const button = h('button', { type: 'button', 'aria-pressed': 'false', 'aria-label': name }, label);
        button.addEventListener('click', () => {
          answers[q.id] = answers[q.id] === value ? undefined : value;
          for (const b of buttons) b.setAttribute('aria-pressed', String(b === button && answers[q.id] === value));
          refresh();
        });
        return button;
      });
      row.append(...buttons);
      fieldset.append(row);
      if (q.type === 'csat') fieldset.append(h('div', { className: 'cb-scale', 'aria-hidden': 'true' }, h('span', {}, t.csatLow), h('span', {}, t.csatHigh)));
      if (q.type === 'nps') fieldset.append(h('div', { className: 'cb-scale', 'aria-hidden': 'true' }, h('span', {}, t.npsLow), h('span', {}, t.npsHigh)));
    }
    fieldsets.set(q.id, fieldset);
    return fieldset;
  });

  const form = h(
    'form',
    { className: 'cb-survey', 'aria-labelledby': `${ids}-title` },
    heading,
    h('p', { className: 'cb-hint' }, t.surveyIntro),
    ...questions,
    problem,
    h('div', { className: 'cb-row' }, submit, skip),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const checked = answersToSubmit(options.survey.questions, answers);
    if (!checked.ok) {
      setText(problem, t.surveyRequired);
      fieldsets.get(checked.missing[0]!.id)?.querySelector<HTMLElement>('button, textarea')?.focus();
      return;
    }
    setText(problem, '');
    void options.onSubmit(checked.answers);
  });
  skip?.addEventListener('click', () => options.onSkip?.());
  refresh();
  container.replaceChildren(form, thanks);

  return {
    setState(state) {
      submit.disabled = state === 'sending';
      if (state === 'done' && thanks.hidden) {
        form.hidden = true;
        thanks.hidden = false;
        thanks.focus();
      }
    },
    destroy() {
      container.replaceChildren();
    },
  };
}
