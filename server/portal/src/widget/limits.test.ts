import { describe, expect, it } from 'vitest';
import * as contract from '../../../src/contracts/conversations.js';
import { ATTACHMENT_CONTENT_TYPES, MAX_ATTACHMENT_BYTES, MAX_MESSAGE_CHARS, attachmentProblem, waitMinutes } from './limits.js';

describe('widget limits', () => {
  it('are the contract’s limits (copied to keep zod out of the widget bundle)', () => {
    expect(ATTACHMENT_CONTENT_TYPES).toEqual(contract.ATTACHMENT_CONTENT_TYPES);
    expect(MAX_ATTACHMENT_BYTES).toBe(contract.MAX_ATTACHMENT_BYTES);
    expect(MAX_MESSAGE_CHARS).toBe(contract.MAX_MESSAGE_CHARS);
  });

  it.each([
    [{ size: 1000, type: 'image/png' }, null],
    [{ size: MAX_ATTACHMENT_BYTES, type: 'application/pdf' }, null],
    [{ size: MAX_ATTACHMENT_BYTES + 1, type: 'image/jpeg' }, 'too-large'],
    [{ size: 10, type: 'text/html' }, 'wrong-type'],
    [{ size: 10, type: '' }, 'wrong-type'],
    [{ size: 10, type: 'image/svg+xml' }, 'wrong-type'],
  ])('%j → %s', (file, problem) => {
    expect(attachmentProblem(file)).toBe(problem);
  });

  it.each([
    [0, 1],
    [45_000, 1],
    [95_000, 2],
    [600_000, 10],
  ])('a wait of %i ms shows as %i minute(s)', (ms, minutes) => {
    expect(waitMinutes(ms)).toBe(minutes);
  });
});
