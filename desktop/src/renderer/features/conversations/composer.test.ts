import { describe, expect, it } from 'vitest';
import type { QuickReply } from '@carebridge/server/contracts';
import { exactQuickReply, insertMention, interpretComposer, mentionQueryAt, mentionSuggestions, quickReplyQuery, quickReplySuggestions } from './composer.js';
import { tabForKey } from './tabs.js';

describe('interpretComposer', () => {
  it.each([
    ['', false, { kind: 'empty' }],
    ['   \n ', false, { kind: 'empty' }],
    ['Hello there', false, { kind: 'send', body: 'Hello there', messageKind: 'text' }],
    ['Hello there', true, { kind: 'send', body: 'Hello there', messageKind: 'note' }],
    ['  line one\nline two  ', false, { kind: 'send', body: 'line one\nline two', messageKind: 'text' }],
    ['/q hours', false, { kind: 'quick-reply', query: 'hours' }],
    ['/q', false, { kind: 'quick-reply', query: '' }],
    ['/n check the chart @Sam', false, { kind: 'send', body: 'check the chart @Sam', messageKind: 'note' }],
    ['/N shouting', false, { kind: 'send', body: 'shouting', messageKind: 'note' }],
    ['/n', false, { kind: 'note-mode' }],
    ['/t', false, { kind: 'transfer' }],
    ['/transfer', false, { kind: 'transfer' }],
    ['/c', true, { kind: 'consult' }],
    ['/x something', false, { kind: 'unknown-command', command: '/x' }],
    ['//q is how I write it', false, { kind: 'send', body: '/q is how I write it', messageKind: 'text' }],
    ['1/2 tablet', false, { kind: 'send', body: '1/2 tablet', messageKind: 'text' }],
    ['/ 2 days', false, { kind: 'send', body: '/ 2 days', messageKind: 'text' }],
  ] as const)('%j (note mode %s)', (text, noteMode, expected) => {
    expect(interpretComposer(text, noteMode)).toEqual(expected);
  });
});

const replies: QuickReply[] = [
  { shortcut: 'hours', title: 'Opening hours', body: 'We are open 8–6.' },
  { shortcut: 'hold', title: 'Please hold', body: 'One moment please.' },
  { shortcut: 'refill', title: 'Refill request', body: 'I can request a refill.' },
  { shortcut: 'bye', title: 'Closing', body: 'Thanks for chatting, have a good day.' },
];

describe('quick replies', () => {
  it.each([
    ['/q', ''],
    ['/q ho', 'ho'],
    ['/Q HO', 'ho'],
    ['/quick re', 're'],
    ['/q hours and more', null],
    ['/qx', null],
    ['hello /q', null],
  ])('the query of %j is %j', (text, expected) => {
    expect(quickReplyQuery(text)).toBe(expected);
  });
  it('suggests shortcut prefixes first, then shortcuts or titles containing the query', () => {
    expect(quickReplySuggestions(replies, 'ho').map((r) => r.shortcut)).toEqual(['hours', 'hold']);
    expect(quickReplySuggestions(replies, 'ing').map((r) => r.shortcut)).toEqual(['hours', 'bye']);
    expect(quickReplySuggestions(replies, '')).toHaveLength(4);
    expect(quickReplySuggestions(replies, 'zzz')).toEqual([]);
    expect(exactQuickReply(replies, 'HOURS')?.body).toBe('We are open 8–6.');
    expect(exactQuickReply(replies, 'hou')).toBeUndefined();
  });
});

const agents = [
  { userId: 'u1', displayName: 'Sam Agent' },
  { userId: 'u2', displayName: 'Sara Nurse' },
  { userId: 'u3', displayName: 'Dr Sameer Khan' },
  { userId: 'me', displayName: 'Me Myself' },
];

describe('mentions while typing', () => {
  it.each([
    ['Ask @sa', 7, { start: 4, query: 'sa' }],
    ['@', 1, { start: 0, query: '' }],
    ['Ask @Sam A', 10, { start: 4, query: 'Sam A' }],
    ['mail me@example.org', 19, null],
    ['Ask @sa\nnext', 12, null],
    ['Ask @ sa', 8, null],
    ['No mention here', 15, null],
  ] as const)('%j at %i', (text, caret, expected) => {
    expect(mentionQueryAt(text, caret)).toEqual(expected);
  });
  it('suggests colleagues by any word of their name, never oneself', () => {
    expect(mentionSuggestions(agents, 'sa', 'me').map((a) => a.userId)).toEqual(['u1', 'u2', 'u3']);
    expect(mentionSuggestions(agents, 'kh', 'me').map((a) => a.userId)).toEqual(['u3']);
    expect(mentionSuggestions(agents, 'me', 'me').map((a) => a.userId)).toEqual([]);
  });
  it('inserts the chosen name and puts the caret after it', () => {
    expect(insertMention('Ask @sa about it', { start: 4, query: 'sa' }, 7, 'Sam Agent')).toEqual({ text: 'Ask @Sam Agent  about it', caret: 15 });
  });
});

describe('tab keys', () => {
  const ids = ['a', 'b', 'c'];
  it.each([
    ['Digit1', '1', 'b', 'a'],
    ['Digit3', '3', null, 'c'],
    ['Digit4', '4', 'a', null],
    ['Digit0', '0', 'a', null],
    ['ArrowRight', 'ArrowRight', 'c', 'a'],
    ['ArrowLeft', 'ArrowLeft', 'a', 'c'],
    ['ArrowLeft', 'ArrowLeft', null, 'c'],
    ['ArrowRight', 'ArrowRight', null, 'a'],
    ['KeyA', 'a', 'a', null],
  ] as const)('%s from %s', (code, key, current, expected) => {
    expect(tabForKey(code, key, ids, current)).toBe(expected);
  });
  it('Ctrl/⌘+Alt+0 is the tenth tab', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `t${i + 1}`);
    expect(tabForKey('Digit0', '0', ten, null)).toBe('t10');
  });
});
