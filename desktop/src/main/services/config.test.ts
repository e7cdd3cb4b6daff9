import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFilePaths, readConfigFiles, resolveDesktopConfig } from './config.js';

const machineFile = '/etc/carebridge/desktop.json';
const userFile = '/home/a/.config/Carebridge/desktop.json';
const files = (machine: unknown, user: unknown = null) => [
  { path: machineFile, content: machine === null ? null : typeof machine === 'string' ? machine : JSON.stringify(machine) },
  { path: userFile, content: user === null ? null : JSON.stringify(user) },
];

describe('resolveDesktopConfig', () => {
  it('defaults: no server, channel latest, updates on, empty allowlist', () => {
    expect(resolveDesktopConfig({ argv: [], env: {}, files: files(null) })).toEqual({
      serverUrl: null,
      updateChannel: 'latest',
      updatesEnabled: true,
      externalAllowlist: [],
      sources: { serverUrl: 'none', file: null },
      problems: [],
    });
  });

  it('reads the machine file before the per-user one', () => {
    const config = resolveDesktopConfig({
      argv: [],
      env: {},
      files: files(
        { serverUrl: 'https://carebridge.clinic.example/', updateChannel: 'pilot', updatesEnabled: false, externalAllowlist: ['Docs.Example.org', '*.nih.gov'] },
        { serverUrl: 'https://user-choice.example' },
      ),
    });
    expect(config).toMatchObject({
      serverUrl: 'https://carebridge.clinic.example',
      updateChannel: 'pilot',
      updatesEnabled: false,
      externalAllowlist: ['docs.example.org', '*.nih.gov'],
      sources: { serverUrl: 'file', file: machineFile },
    });
  });

  it('precedence: flag > env > file', () => {
    const file = files({ serverUrl: 'https://file.example' });
    expect(resolveDesktopConfig({ argv: [], env: { CAREBRIDGE_SERVER_URL: 'https://env.example' }, files: file })).toMatchObject({
      serverUrl: 'https://env.example',
      sources: { serverUrl: 'env' },
    });
    expect(
      resolveDesktopConfig({ argv: ['electron', '.', '--server-url=https://flag.example:8443'], env: { CAREBRIDGE_SERVER_URL: 'https://env.example' }, files: file }),
    ).toMatchObject({ serverUrl: 'https://flag.example:8443', sources: { serverUrl: 'flag' } });
    expect(resolveDesktopConfig({ argv: ['--server-url', 'http://localhost:4000'], env: {}, files: file })).toMatchObject({ serverUrl: 'http://localhost:4000' });
  });

  it.each([
    ['not a url', 'Ignored --server-url'],
    ['ftp://files.example', 'Ignored --server-url'],
    ['javascript:alert(1)', 'Ignored --server-url'],
    ['https://user:pw@srv.example', 'Ignored --server-url'],
    ['https://srv.example/?next=evil', 'Ignored --server-url'],
  ])('ignores a bad flag value %s, says why, and falls back', (value, problem) => {
    const config = resolveDesktopConfig({ argv: [`--server-url=${value}`], env: { CAREBRIDGE_SERVER_URL: 'https://env.example' }, files: files(null) });
    expect(config.serverUrl).toBe('https://env.example');
    expect(config.problems).toHaveLength(1);
    expect(config.problems[0]).toContain(problem);
  });

  it.each([
    ['{ not json', 'not valid JSON'],
    [{ serverUrl: 'file:///etc/passwd' }, 'serverUrl'],
    [{ serverUrl: 'https://a.example', unknown: 1 }, 'unknown'],
    [{ updatesEnabled: 'no' }, 'updatesEnabled'],
    [{ updateChannel: '../../x' }, 'updateChannel'],
    [{ externalAllowlist: ['https://with-scheme.example'] }, 'externalAllowlist'],
  ])('skips an invalid machine file %j with a clear problem and uses the next file', (content, mentions) => {
    const config = resolveDesktopConfig({ argv: [], env: {}, files: files(content, { serverUrl: 'https://user.example' }) });
    expect(config.serverUrl).toBe('https://user.example');
    expect(config.sources.file).toBe(userFile);
    expect(config.problems[0]).toContain(machineFile);
    expect(config.problems[0]).toContain(mentions);
  });

  it('warns about plain http to another machine (blocked as mixed content) but not for localhost', () => {
    expect(resolveDesktopConfig({ argv: ['--server-url=http://carebridge.lan:4000'], env: {}, files: files(null) }).problems).toEqual([
      'The server http://carebridge.lan:4000 uses plain http: the app blocks that for any host but this machine; use https.',
    ]);
    expect(resolveDesktopConfig({ argv: ['--server-url=http://127.0.0.1:4000'], env: {}, files: files(null) }).problems).toEqual([]);
  });

  it('lets the environment turn updates off and pick a channel, never turn them back on', () => {
    expect(resolveDesktopConfig({ argv: [], env: { CAREBRIDGE_UPDATES: 'off', CAREBRIDGE_UPDATE_CHANNEL: 'beta' }, files: files(null) })).toMatchObject({
      updatesEnabled: false,
      updateChannel: 'beta',
    });
    expect(resolveDesktopConfig({ argv: [], env: { CAREBRIDGE_UPDATES: '1' }, files: files({ updatesEnabled: false }) }).updatesEnabled).toBe(false);
    expect(resolveDesktopConfig({ argv: [], env: { CAREBRIDGE_UPDATE_CHANNEL: 'Beta Channel!' }, files: files(null) }).problems).toHaveLength(1);
  });
});

describe('config file locations', () => {
  it('uses the per-OS machine path, then userData', () => {
    expect(configFilePaths('linux', {}, '/home/a/.config/Carebridge')).toEqual(['/etc/carebridge/desktop.json', path.join('/home/a/.config/Carebridge', 'desktop.json')]);
    expect(configFilePaths('darwin', {}, '/u')[0]).toBe('/Library/Application Support/Carebridge/desktop.json');
    expect(configFilePaths('win32', { ProgramData: 'D:\\ProgramData' }, 'C:\\u')[0]).toBe('D:\\ProgramData\\Carebridge\\desktop.json');
  });

  it('treats a missing or unreadable file as absent', () => {
    const read = (p: string) => {
      if (p === 'a') return '{"serverUrl":"https://a.example"}';
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    };
    expect(readConfigFiles(['a', 'b'], read)).toEqual([
      { path: 'a', content: '{"serverUrl":"https://a.example"}' },
      { path: 'b', content: null },
    ]);
  });
});
