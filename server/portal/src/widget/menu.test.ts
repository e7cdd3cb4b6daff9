import { describe, expect, it } from 'vitest';
import { parseMenu } from './menu.js';

describe('parseMenu', () => {
  it.each([
    [
      "Hi Vera, I'm the Carebridge assistant. I can help with:\n1. Appointments\n2. Billing\n3. Prescriptions\n4. Talk to a person\nReply with a number or tell me what you need.",
      [
        { reply: 'Appointments', number: '1', label: 'Appointments' },
        { reply: 'Billing', number: '2', label: 'Billing' },
        { reply: 'Prescriptions', number: '3', label: 'Prescriptions' },
        { reply: 'Talk to a person', number: '4', label: 'Talk to a person' },
      ],
    ],
    ['Puedo ayudarle con:\r\n1) Citas\r\n2) Facturación', [{ reply: 'Citas', number: '1', label: 'Citas' }, { reply: 'Facturación', number: '2', label: 'Facturación' }]],
    ['Reply 1 for appointments, 2 for billing or 4 to talk to a person.', []],
    ['1. Only one option', []],
    ['Steps:\n1. First\n3. Third', []],
    ['Call 911 now.\n2023. A year', []],
    ['Intro\n1. A\n2. B\nthen\n1. C\n2. D\n3. E', [{ reply: 'C', number: '1', label: 'C' }, { reply: 'D', number: '2', label: 'D' }, { reply: 'E', number: '3', label: 'E' }]],
    ['', []],
  ])('%j', (body, expected) => {
    expect(parseMenu(body)).toEqual(expected);
  });
});
