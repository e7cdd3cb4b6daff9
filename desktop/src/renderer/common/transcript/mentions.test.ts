import { describe, expect, it } from 'vitest';
import { mentionedNames, splitMentions } from './mentions.js';

const names = ['Sam Agent', 'Sam', 'Dr. Lee (nights)'];

describe('splitMentions', () => {
  it('highlights known colleagues, the longest name first, case-insensitively', () => {
    expect(splitMentions('Ask @sam agent and @Sam about it', names)).toEqual([
      { text: 'Ask ', mention: false },
      { text: '@sam agent', mention: true },
      { text: ' and ', mention: false },
      { text: '@Sam', mention: true },
      { text: ' about it', mention: false },
    ]);
  });
  it('ignores e-mail addresses, unknown names and partial words', () => {
    expect(splitMentions('write to sam@clinic.org or @Samantha or @Bob', names).filter((s) => s.mention)).toEqual([]);
  });
  it('handles names with regex characters and mentions at the very start and end', () => {
    expect(splitMentions('@Dr. Lee (nights) please', names)[0]).toEqual({ text: '@Dr. Lee (nights)', mention: true });
    expect(splitMentions('thanks @Sam', names).at(-1)).toEqual({ text: '@Sam', mention: true });
  });
  it('falls back to @word tokens without a list of names', () => {
    expect(splitMentions('cc @sam.k please', []).filter((s) => s.mention).map((s) => s.text)).toEqual(['@sam.k']);
  });
  it('lists who a note mentions, with the names as written in the directory', () => {
    expect(mentionedNames('@SAM AGENT and @sam', names)).toEqual(['Sam Agent', 'Sam']);
  });
  it('keeps the text intact: the segments join back to the body', () => {
    const body = 'a @Sam b @Sam Agent c';
    expect(splitMentions(body, names).map((s) => s.text).join('')).toBe(body);
  });
});
