/**
 * The triage API over real HTTP on a real server: one-shot assessment, interactive sessions, and
 * what bad, hostile and concurrent input gets (a clear 4xx or a clear answer, never a crash), and the
 * per-address rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRIAGE_TEXT_LIMIT } from '../contracts/triage.js';
import { call } from '../testing/accounts.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { TRIAGE_REQUESTS_PER_WINDOW } from './index.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const assess = (body: unknown) => call(server, 'POST', '/api/triage/assess', { body });

describe('POST /api/triage/assess', () => {
  it('sends crushing chest pain with sweating straight to 911, naming the findings that drove it', async () => {
    const res = await assess({ text: "crushing chest pain and I'm sweating" });
    expect(res.status).toBe(200);
    expect(res.body.disposition).toBe('emergency_ambulance');
    expect(res.body.instruction).toMatch(/911/);
    expect(res.body.reasons[0]).toMatchObject({ protocol: 'global-red-flags', rule: 'heart_attack_signs' });
    expect(res.body.reasons[0].findings).toEqual(expect.arrayContaining(['chest_pain', 'sweating']));
    expect(res.body.findings).toEqual(expect.arrayContaining([{ id: 'sweating', name: 'Sweating or clammy', present: true }]));
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a cold with self-care advice and denied findings marked absent', async () => {
    const res = await assess({ text: 'runny nose and sneezing for 2 days, no fever', age: 30 });
    expect(res.body).toMatchObject({ disposition: 'self_care', level: 'self_care', recognised: true, facts: { age: 30, durationHours: 48 } });
    expect(res.body.findings).toEqual(expect.arrayContaining([{ id: 'fever', name: 'Fever', present: false }]));
    expect(res.body.advice.length).toBeGreaterThan(20);
  });

  it('points suicidal intent to 988 and 911', async () => {
    const res = await assess({ text: 'I want to kill myself and I have a plan' });
    expect(res.body.disposition).toBe('emergency');
    expect(res.body.instruction).toMatch(/988/);
    expect(res.body.instruction).toMatch(/911/);
  });

  it('answers in Spanish when the description is in Spanish', async () => {
    const res = await assess({ text: 'tengo dolor de pecho y sudor frío' });
    expect(res.body).toMatchObject({ disposition: 'emergency_ambulance', language: 'es' });
    expect(res.body.instruction).toBe('Llame al 911 ahora.');
  });

  it('applies the given age: any fever in a 1-month-old is an emergency, in a 30-year-old it is not', async () => {
    const baby = await assess({ text: 'fever of 38.2', age: 1 / 12 });
    const adult = await assess({ text: 'fever of 38.2', age: 30 });
    expect(baby.body.disposition).toBe('emergency');
    expect(adult.body.disposition).toBe('self_care');
  });

  it('lists follow-up questions that could still raise the urgency, red flags first', async () => {
    const res = await assess({ text: 'I have a headache' });
    expect(res.body.disposition).toBe('self_care');
    const ids = res.body.followUpQuestions.map((q: { id: string }) => q.id);
    // Stroke signs (911) before the sudden "worst ever" headache (an emergency department).
    expect(ids[0]).toBe('one_sided_weakness');
    expect(ids).toContain('thunderclap_headache');
    expect(res.body.followUpQuestions[0].type).toBe('yes_no');
    expect(ids.length).toBeLessThanOrEqual(5);
  });

  it.each([
    ['no body', undefined, 400],
    ['empty text', { text: '' }, 400],
    ['blank text', { text: '   \n ' }, 400],
    ['text of the wrong type', { text: 42 }, 400],
    ['an unknown field', { text: 'cough', extra: true }, 400],
    ['an impossible age', { text: 'cough', age: -3 }, 400],
    ['a sex outside the list', { text: 'cough', sex: 'x' }, 400],
    ['more than the hard limit', { text: 'a'.repeat(200_001) }, 400],
    ['binary data', { text: '\u0000\u0001\u0002\u0003\u0004\u0005binary\u0006\u0007' }, 422],
  ])('refuses %s with a clear error', async (_label, body, status) => {
    const res = await assess(body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toMatch(/^(validation_failed|bad_request|unprocessable)$/);
    expect(res.body.error.message.length).toBeGreaterThan(5);
  });

  it('refuses malformed JSON without crashing', async () => {
    const res = await call(server, 'POST', '/api/triage/assess', { raw: '{"text": "cough"' });
    expect(res.status).toBe(400);
  });

  it('cuts a huge description, says so, and still finds the red flag at its start', async () => {
    const res = await assess({ text: `I can't breathe. ${'and then some more words '.repeat(2000)}` });
    expect(res.status).toBe(200);
    expect(res.body.disposition).toBe('emergency_ambulance');
    expect(res.body.notices.join(' ')).toMatch(new RegExp(TRIAGE_TEXT_LIMIT.toLocaleString('en-US')));
  });

  it('tells the caller what to write when nothing is recognised (another language, gibberish)', async () => {
    for (const text of ['我头疼得厉害', 'asdf qwer zxcv', '🙂🙂🙂']) {
      const res = await assess({ text });
      expect(res.status).toBe(200);
      expect(res.body.recognised).toBe(false);
      expect(res.body.notices.join(' ')).toMatch(/English or Spanish/);
      expect(res.body.followUpQuestions[0]).toMatchObject({ id: 'main_symptom', type: 'text' });
    }
  });

  it('answers 40 concurrent callers each with their own assessment', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'my face is drooping and my speech is slurred' : 'itchy mosquito bite'));
    const replies = await Promise.all(texts.map((text) => assess({ text })));
    replies.forEach((res, i) => {
      expect(res.status).toBe(200);
      expect(res.body.disposition).toBe(i % 2 === 0 ? 'emergency_ambulance' : 'self_care');
    });
  });
});

describe('interactive sessions', () => {
  it('asks red flags first and ends at a disposition', async () => {
    const start = await call(server, 'POST', '/api/triage/sessions', { body: { text: 'I have a headache', age: 35 } });
    expect(start.status).toBe(201);
    expect(start.body).toMatchObject({ status: 'asking', question: { id: 'one_sided_weakness', type: 'yes_no' }, answered: 0 });
    let view = start.body;
    for (let i = 0; i < 20 && view.status === 'asking'; i++) {
      const res = await call(server, 'POST', `/api/triage/sessions/${view.sessionId}/answers`, {
        body: { questionId: view.question.id, answer: view.question.type === 'number' ? 2 : false },
      });
      expect(res.status).toBe(200);
      view = res.body;
    }
    expect(view.status).toBe('done');
    expect(view.assessment.disposition).toBe('self_care');
  });

  it('stops at once when an answer is a red flag', async () => {
    const start = await call(server, 'POST', '/api/triage/sessions', { body: { text: 'headache' } });
    const res = await call(server, 'POST', `/api/triage/sessions/${start.body.sessionId}/answers`, { body: { questionId: start.body.question.id, answer: 'yes' } });
    expect(res.body).toMatchObject({ status: 'done', question: null, assessment: { disposition: 'emergency_ambulance' } });
    expect(res.body.assessment.reasons[0].rule).toBe('stroke_signs');
  });

  it('refuses an answer to another question, a wrong-typed answer, and an unknown session', async () => {
    const start = await call(server, 'POST', '/api/triage/sessions', { body: { text: 'headache' } });
    const id = start.body.sessionId;
    const asked = start.body.question.id;
    const wrongQuestion = await call(server, 'POST', `/api/triage/sessions/${id}/answers`, { body: { questionId: 'stiff_neck', answer: true } });
    expect(wrongQuestion.status).toBe(409);
    expect(wrongQuestion.body.error.details.questionId).toBe(asked);
    const notYesNo = await call(server, 'POST', `/api/triage/sessions/${id}/answers`, { body: { questionId: asked, answer: 'purple' } });
    expect(notYesNo.status).toBe(400);
    expect(notYesNo.body.error.message).toMatch(/yes or no/);
    const unknown = await call(server, 'POST', '/api/triage/sessions/00000000-0000-4000-8000-000000000000/answers', { body: { questionId: 'x', answer: true } });
    expect(unknown.status).toBe(404);
    const notAnId = await call(server, 'POST', '/api/triage/sessions/nope/answers', { body: { questionId: 'x', answer: true } });
    expect(notAnId.status).toBe(404);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once an address has used its budget', async () => {
    let limited: Awaited<ReturnType<typeof assess>> | undefined;
    for (let i = 0; i <= TRIAGE_REQUESTS_PER_WINDOW.limit && !limited; i++) {
      const res = await assess({ text: 'cough' });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited?.body.error.code).toBe('too_many_requests');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
