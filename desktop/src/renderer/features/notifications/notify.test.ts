import { describe, expect, it } from 'vitest';
import { shouldNotify } from './notify.js';

const all = { offers: true, messages: true, sound: true };

describe('shouldNotify', () => {
  it('stays quiet while the desk is in front of the user', () => {
    expect(shouldNotify('offer', all, { hidden: false, focused: true })).toBe(false);
    expect(shouldNotify('system', all, { hidden: false, focused: true })).toBe(false);
  });
  it('notifies when hidden or unfocused, for the kinds the user kept on', () => {
    expect(shouldNotify('offer', all, { hidden: true, focused: false })).toBe(true);
    expect(shouldNotify('message', all, { hidden: false, focused: false })).toBe(true);
    expect(shouldNotify('offer', { ...all, offers: false }, { hidden: true, focused: false })).toBe(false);
    expect(shouldNotify('message', { ...all, messages: false }, { hidden: true, focused: false })).toBe(false);
    expect(shouldNotify('system', { offers: false, messages: false, sound: false }, { hidden: true, focused: false })).toBe(true);
  });
});
