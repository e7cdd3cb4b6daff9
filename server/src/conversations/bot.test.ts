import { describe, expect, it } from 'vitest';
import type { MessageView } from '../contracts/conversations.js';
import { GreetingMenuBot, classifyUtterance, queueFor, type BotContext } from './bot.js';

describe('classifyUtterance', () => {
  it.each([
    ['talk to a person', 'person', null, 'en'],
    ['Can I speak to someone please?', 'person', null, 'en'],
    ['AGENT', 'person', null, 'en'],
    ['I want a human', 'person', null, 'en'],
    ['representative', 'person', null, 'en'],
    ['4', 'person', null, 'en'],
    ['I need a person about my bill', 'person', 'billing', 'en'],
    ['Quiero hablar con una persona', 'person', null, 'es'],
    ['¿Puedo hablar con un agente?', 'person', null, 'es'],
    ['hablar con una persona sobre mi factura', 'person', 'billing', 'es'],
    ['1', 'scheduling', 'scheduling', 'en'],
    ['I need to reschedule my appointment', 'scheduling', 'scheduling', 'en'],
    ['2', 'billing', 'billing', 'en'],
    // The widget's quick replies send the menu option's words.
    ['Appointments', 'scheduling', 'scheduling', 'en'],
    ['Billing', 'billing', 'billing', 'en'],
    ['Prescriptions', 'pharmacy', 'pharmacy', 'en'],
    ['Talk to a person', 'person', null, 'en'],
    ['Facturación', 'billing', 'billing', 'en'],
    ['Recetas', 'pharmacy', 'pharmacy', 'en'],
    ['question about my invoice', 'billing', 'billing', 'en'],
    ['3', 'pharmacy', 'pharmacy', 'en'],
    ['I need a refill of my prescription', 'pharmacy', 'pharmacy', 'en'],
    ['necesito una cita por favor', 'scheduling', 'scheduling', 'es'],
    ['I have chest pain', 'red-flag', null, 'en'],
    ["I can't breathe", 'red-flag', null, 'en'],
    ['tengo dolor de pecho', 'red-flag', null, 'es'],
    ['hello', 'unknown', null, 'en'],
    ['asdfgh', 'unknown', null, 'en'],
    ["'; DROP TABLE conversations; --", 'unknown', null, 'en'],
  ] as const)('%j → %s (topic %s, %s)', (text, intent, topic, language) => {
    expect(classifyUtterance(text)).toEqual({ intent, topic, language });
  });
});

describe('queueFor', () => {
  it.each([
    ['scheduling', 'en', 'scheduling'],
    ['billing', 'en', 'billing'],
    ['pharmacy', 'en', 'pharmacy'],
    ['general', 'en', 'general'],
    ['something-else', 'en', 'general'],
    ['billing', 'es', 'spanish'],
    ['general', 'es', 'spanish'],
  ] as const)('intent %s in %s → queue %s', (intent, language, queue) => {
    expect(queueFor(intent, language)).toBe(queue);
  });
});

describe('GreetingMenuBot', () => {
  const bot = new GreetingMenuBot();
  let seq = 0;
  const patientMessage = (body: string): MessageView => ({
    id: `m${++seq}`,
    conversationId: 'c1',
    seq,
    clientMessageId: `c${seq}`,
    sender: { kind: 'patient', id: 'u1' },
    kind: 'text',
    body,
    createdAt: new Date().toISOString(),
  });
  const context = (history: MessageView[]): BotContext => ({ conversationId: 'c1', channel: 'portal', displayName: 'Ada', history: () => history });

  it('greets by name with the menu', () => {
    const turn = bot.onConversationStart(context([]));
    expect(turn.handoff).toBeUndefined();
    expect(turn.replies[0]!.body).toMatch(/^Hi Ada, .*1\. Appointments.*4\. Talk to a person/s);
  });

  it('answers a menu choice with canned text and does not hand off', () => {
    const m = patientMessage('2');
    const turn = bot.onPatientMessage(context([m]), m);
    expect(turn.handoff).toBeUndefined();
    expect(turn.replies[0]!.body).toContain('Billing');
  });

  it('hands off with a packet naming the topic discussed before the request', () => {
    const first = patientMessage('I need a refill');
    const second = patientMessage('talk to a person');
    const turn = bot.onPatientMessage(context([first, second]), second);
    expect(turn.handoff).toEqual({
      reason: 'patient-asked',
      intent: 'pharmacy',
      language: 'en',
      collectedAnswers: { firstMessage: 'I need a refill', lastMessage: 'talk to a person', topicsDiscussed: 'pharmacy' },
      summary: expect.stringContaining('Patient asked for a person (pharmacy, English)'),
    });
    expect(turn.replies[0]!.body).toMatch(/connecting you with a person/);
  });

  it('answers in Spanish and hands off to the Spanish language', () => {
    const m = patientMessage('Quiero hablar con una persona');
    const turn = bot.onPatientMessage(context([m]), m);
    expect(turn.handoff).toMatchObject({ reason: 'patient-asked', intent: 'general', language: 'es' });
    expect(turn.replies[0]!.body).toMatch(/Le comunico con una persona/);
  });

  it('hands a red flag off at once with a triage disposition and the urgent priority (0)', () => {
    const m = patientMessage('my father has chest pain');
    const turn = bot.onPatientMessage(context([m]), m);
    expect(turn.handoff).toMatchObject({ reason: 'red-flag', triageDisposition: 'emergency-advice-given', priority: 0 });
    expect(turn.replies[0]!.body).toMatch(/call 911/);
  });

  it('repeats the menu when it does not understand', () => {
    const m = patientMessage('blue');
    const turn = bot.onPatientMessage(context([m]), m);
    expect(turn.handoff).toBeUndefined();
    expect(turn.replies[0]!.body).toMatch(/didn't understand/);
  });
});
