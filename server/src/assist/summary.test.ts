import { describe, expect, it } from 'vitest';
import type { MessageView } from '../contracts/conversations.js';
import { summarize } from './summary.js';

let seq = 0;
const msg = (kind: MessageView['sender']['kind'] | 'system', body: string, extra: Partial<MessageView> = {}): MessageView => ({
  id: `m${++seq}`,
  conversationId: 'c1',
  seq,
  clientMessageId: null,
  sender: { kind, id: kind },
  kind: kind === 'system' ? 'system' : 'text',
  body,
  createdAt: new Date(2026, 11, 8, 10, seq).toISOString(),
  ...extra,
});

describe('the wrap-up summary', () => {
  it('takes the reason, what was done and the follow-ups from the conversation’s own words', () => {
    const s = summarize(
      [
        msg('patient', 'Hi.'),
        msg('patient', 'I ran out of my lisinopril and the pharmacy says the prescription expired. Can you help?'),
        msg('agent', 'Hello, I can help with that. Which pharmacy do you use?'),
        msg('patient', 'Walgreens on Main Street'),
        msg('agent', "I've sent the refill request to Dr. Lee. The care team will call you back within 2 business days."),
        msg('agent', 'Appointment', { kind: 'card', card: { type: 'appointment', title: 'Appointment booked', subtitle: 'Tue 15 Dec, 9:00 with Dr. Lee' } }),
        msg('agent', 'Is there anything else?'),
      ],
      { intent: 'pharmacy' },
      null,
    );
    expect(s.reason).toBe('Prescription refill: “I ran out of my lisinopril and the pharmacy says the prescription expired.”');
    expect(s.done).toEqual(["I've sent the refill request to Dr. Lee.", 'Appointment card sent: Appointment booked — Tue 15 Dec, 9:00 with Dr. Lee.']);
    expect(s.followUps).toEqual(['The care team will call you back within 2 business days.']);
    expect(s.text).toBe(
      'Reason: Prescription refill: “I ran out of my lisinopril and the pharmacy says the prescription expired.”\n' +
        "Done: I've sent the refill request to Dr. Lee. Appointment card sent: Appointment booked — Tue 15 Dec, 9:00 with Dr. Lee.\n" +
        'Follow-up: The care team will call you back within 2 business days.',
    );
  });

  it('names a red flag first, and says so plainly when nothing was done or stated', () => {
    const flagged = summarize([msg('patient', 'my chest hurts and my left arm is numb')], { intent: 'general' }, { disposition: 'emergency_ambulance', findings: ['Chest pain', 'Numbness or tingling'] });
    expect(flagged.done[0]).toMatch(/^Red flag \(emergency ambulance\): Chest pain, Numbness or tingling/);
    expect(flagged.reason).toBe('“my chest hurts and my left arm is numb”');
    const empty = summarize([], null, null);
    expect(empty.text).toBe('Reason: Not stated.\nDone: —');
  });

  it('never takes a patient’s sentence or a question as something staff did', () => {
    const s = summarize([msg('patient', 'I have booked a flight and will travel tomorrow.'), msg('agent', 'Have you sent the form?')], null, null);
    expect(s.done).toEqual([]);
    expect(s.followUps).toEqual([]);
  });
});
