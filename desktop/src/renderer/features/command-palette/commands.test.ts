import { describe, expect, it } from 'vitest';
import { filterCommands } from './commands.js';

const commands = [
  { title: 'Go to Conversations', keywords: 'navigate workspace' },
  { title: 'Go to Settings', keywords: 'navigate workspace' },
  { title: 'Set presence: Busy', keywords: 'status' },
  { title: 'Sign out', keywords: 'logout log off' },
  { title: 'Settings backup', keywords: '' },
];

describe('filterCommands', () => {
  it('returns everything for an empty query', () => {
    expect(filterCommands(commands, '  ')).toHaveLength(commands.length);
  });
  it('needs every word, ranks titles that start with the query first', () => {
    expect(filterCommands(commands, 'settings').map((c) => c.title)).toEqual(['Settings backup', 'Go to Settings']);
    expect(filterCommands(commands, 'go conv').map((c) => c.title)).toEqual(['Go to Conversations']);
  });
  it('finds commands by keyword, case-insensitively', () => {
    expect(filterCommands(commands, 'LOGOUT').map((c) => c.title)).toEqual(['Sign out']);
    expect(filterCommands(commands, 'nothing like this')).toEqual([]);
  });
});
