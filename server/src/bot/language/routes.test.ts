/* eslint-disable @typescript-eslint/no-explicit-any -- the assertions walk JSON answers of several shapes */
/**
 * `/api/bot/language-models` on a real server: who may use it, saving RegEx and trained models
 * (evaluation, versions, conflicts), hostile input (huge lists, malformed and catastrophic regex),
 * and stored models surviving a restart.
 */
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffPrincipal } from '../../testing/conversations.js';
import { startTestServer, type TestServer } from '../../testing/server.js';
import { createLanguageModels, type LanguageModels } from './index.js';

let server: TestServer;
let language: LanguageModels;
let url: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer();
  // The server's own language models (the bot's recognizer uses the same).
  language = (server.context.modules.find((m) => m.name === 'bot-language') as unknown as { api: LanguageModels }).api;
  await language.ready();
  url = server.url;
  tokens.author = await server.tokenFor(staffPrincipal('author-1', 'bot-author'));
  tokens.admin = await server.tokenFor(staffPrincipal('admin-1', 'admin'));
  tokens.agent = await server.tokenFor(staffPrincipal('agent-1', 'agent'));
}, 60_000);

afterAll(async () => {
  await server.close();
});

async function api(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/api${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const clinicModel = {
  kind: 'nlp',
  name: 'Flu clinic',
  description: 'Our walk-in flu shot clinic',
  intents: [
    {
      intent: 'flu_clinic',
      scenario: 'flu_clinic_info',
      utterances: {
        'en-US': [
          'when is the flu shot clinic',
          'walk in flu clinic hours',
          'is the flu shot clinic open saturday',
          'where is the flu clinic',
          'flu shot walk in times',
          'can i walk in for a flu shot',
          'flu clinic schedule',
          'do i need an appointment for the flu clinic',
        ],
        'es-US': ['cuándo es la clínica de vacuna contra la gripe', 'horario de la clínica de la gripe', 'puedo llegar sin cita a vacunarme contra la gripe', 'dónde está la clínica de la gripe'],
      },
    },
    {
      intent: 'parking',
      scenario: 'parking_info',
      utterances: {
        'en-US': ['where do i park', 'is parking free', 'parking garage location', 'do you validate parking', 'where can i leave my car', 'how much is parking', 'visitor parking'],
        'es-US': ['dónde me estaciono', 'el estacionamiento es gratis', 'dónde dejo el carro'],
      },
    },
  ],
};

describe('who may use the language models API', () => {
  it('lists built-in models for bot authors and admins, not for agents or visitors', async () => {
    const list = await api('GET', '/bot/language-models', tokens.author!);
    expect(list.status).toBe(200);
    const ids = list.body.models.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['commands', 'medical-complaint', 'scheduling', 'information', 'billing', 'feedback', 'greeting', 'medication-refill']));
    const scheduling = list.body.models.find((m: { id: string }) => m.id === 'scheduling');
    expect(scheduling).toMatchObject({ kind: 'builtin', version: 0 });
    expect(scheduling.intents).toContainEqual({ intent: 'book_appointment', scenario: 'book_appointment' });
    expect((await api('GET', '/bot/language-models', tokens.admin!)).status).toBe(200);
    expect((await api('GET', '/bot/language-models', tokens.agent!)).status).toBe(403);
    expect((await api('GET', '/bot/language-models', null)).status).toBe(401);
    expect((await api('PUT', '/bot/language-models/x', tokens.agent!, { model: clinicModel })).status).toBe(403);
  });

  it('reads one model with its utterances; an unknown or malformed id is 404', async () => {
    const one = await api('GET', '/bot/language-models/commands', tokens.author!);
    expect(one.status).toBe(200);
    expect(one.body.definition.intents.find((i: { intent: string }) => i.intent === 'help').utterances['es-US']).toContain('ayuda');
    expect((await api('GET', '/bot/language-models/nothing-here', tokens.author!)).status).toBe(404);
    expect((await api('GET', '/bot/language-models/Bad_Id!', tokens.author!)).body.error.code).toBe('not_found');
  });
});

describe('saving a trained model', () => {
  it('trains on save, answers the held-out evaluation, and recognizes with it at once', async () => {
    const saved = await api('PUT', '/bot/language-models/flu-clinic', tokens.author!, { model: clinicModel });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ id: 'flu-clinic', kind: 'nlp', version: 1, enabled: true, updatedBy: 'author-1' });
    expect(saved.body.evaluation.heldOut).toBeGreaterThan(0);
    expect(saved.body.evaluation.trained + saved.body.evaluation.heldOut).toBe(22);
    expect(saved.body.evaluation.accuracy).toBeGreaterThanOrEqual(0.5);
    expect(saved.body.evaluation.perIntent.map((p: { intent: string }) => p.intent)).toEqual(['flu_clinic', 'parking']);

    const r = await api('POST', '/bot/language-models/recognize', tokens.author!, { text: 'what are the walk in flu clinic hours', locale: 'en-US' });
    expect(r.body).toMatchObject({ intent: 'flu_clinic', scenario: 'flu_clinic_info', model: 'flu-clinic' });
    expect((await language.recognize('dónde puedo estacionar el carro', 'es-US')).intent).toBe('parking');
    // The built-in models still answer.
    expect((await language.recognize('I need to book an appointment', 'en-US')).intent).toBe('book_appointment');
  });

  it('keeps versions; a save from a stale version is a 409', async () => {
    const second = await api('PUT', '/bot/language-models/flu-clinic', tokens.author!, { model: { ...clinicModel, name: 'Flu clinic (winter)' }, baseVersion: 1 });
    expect(second.status).toBe(200);
    expect(second.body.version).toBe(2);
    expect(second.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const stale = await api('PUT', '/bot/language-models/flu-clinic', tokens.author!, { model: clinicModel, baseVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details).toEqual({ currentVersion: 2 });
  });

  it('refuses to overwrite a built-in model', async () => {
    const res = await api('PUT', '/bot/language-models/commands', tokens.author!, { model: clinicModel });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/built-in/);
  });

  it('stops using a disabled model', async () => {
    await api('PUT', '/bot/language-models/parking-only', tokens.author!, { model: { kind: 'regex', name: 'Valet', enabled: false, intents: [{ intent: 'valet', patterns: ['\\bvalet\\b'] }] } });
    expect((await language.recognize('is there valet', 'en-US')).intent).not.toBe('valet');
    await api('PUT', '/bot/language-models/parking-only', tokens.author!, { model: { kind: 'regex', name: 'Valet', intents: [{ intent: 'valet', patterns: ['\\bvalet\\b'] }] } });
    expect((await language.recognize('is there valet', 'en-US')).intent).toBe('valet');
  });
});

describe('RegEx models', () => {
  it('matches the folded text (case and accents do not matter) in the locales it names', async () => {
    const saved = await api('PUT', '/bot/language-models/lab-hours', tokens.author!, {
      model: { kind: 'regex', name: 'Lab hours', intents: [{ intent: 'lab_hours', scenario: 'lab_hours', patterns: ['\\blab(oratorio)? (hours|horario)\\b', '^horario del laboratorio'], locales: ['en-US', 'es-US'] }] },
    });
    expect(saved.status).toBe(201);
    expect(saved.body.evaluation).toBeNull();
    expect(await language.recognize('What are the LAB HOURS?', 'en-US')).toMatchObject({ intent: 'lab_hours', score: 1, scenario: 'lab_hours' });
    expect((await language.recognize('Horario del laboratorio, por favor', 'es-US')).intent).toBe('lab_hours');
  });

  it('names the malformed pattern (422) and saves nothing', async () => {
    const res = await api('PUT', '/bot/language-models/broken', tokens.author!, { model: { kind: 'regex', name: 'Broken', intents: [{ intent: 'x', patterns: ['fine', '(unclosed'] }] } });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('(unclosed');
    expect(res.body.error.details.patterns).toEqual([{ path: 'model.intents.0.patterns.1', pattern: '(unclosed', message: expect.stringMatching(/missing \)/) }]);
    expect((await api('GET', '/bot/language-models/broken', tokens.author!)).status).toBe(404);
  });

  it('refuses backreferences and lookaround, which RE2 does not run', async () => {
    for (const pattern of ['(a)\\1', 'foo(?=bar)']) {
      const res = await api('PUT', '/bot/language-models/broken', tokens.author!, { model: { kind: 'regex', name: 'Broken', intents: [{ intent: 'x', patterns: [pattern] }] } });
      expect(res.status).toBe(422);
      expect(res.body.error.details.patterns[0].message).toMatch(/RE2 syntax/);
    }
  });

  it('runs a catastrophic-backtracking pattern in linear time', async () => {
    const saved = await api('PUT', '/bot/language-models/evil', tokens.author!, { model: { kind: 'regex', name: 'Evil', intents: [{ intent: 'evil', patterns: ['^(a+)+$', '(x+x+)+y', '^(\\w+\\s?)*$z'] }] } });
    expect(saved.status).toBe(201);
    // Each of these takes a backtracking engine longer than the age of the universe.
    for (const text of [`${'a'.repeat(1_990)} b`, 'x'.repeat(1_999), `${'word '.repeat(390)}!`]) {
      const started = performance.now();
      const r = await language.recognize(text, 'en-US');
      expect(performance.now() - started).toBeLessThan(300);
      expect(r.intent).not.toBe('evil');
    }
    expect((await language.recognize('aaaa', 'en-US')).intent).toBe('evil');
  });
});

describe('bad and hostile bodies', () => {
  const manyUtterances = (n: number) => Array.from({ length: n }, (_, i) => `utterance number ${i}`);
  it.each([
    ['an unknown kind', { model: { kind: 'luis', name: 'x', intents: [] } }, /kind/],
    ['no intents', { model: { kind: 'nlp', name: 'x', intents: [] } }, /intents/],
    ['a bad intent name', { model: { kind: 'nlp', name: 'x', intents: [{ intent: 'Has Spaces', utterances: { 'en-US': ['hi'] } }] } }, /intent/],
    ['an intent without utterances', { model: { kind: 'nlp', name: 'x', intents: [{ intent: 'a', utterances: {} }] } }, /at least one utterance/],
    ['an unknown locale', { model: { kind: 'nlp', name: 'x', intents: [{ intent: 'a', utterances: { 'fr-FR': ['bonjour'] } }] } }, /fr-FR|Unrecognized/],
    ['600 utterances in one intent', { model: { kind: 'nlp', name: 'x', intents: [{ intent: 'a', utterances: { 'en-US': manyUtterances(600) } }] } }, /500/],
    [
      '5,500 utterances in all',
      { model: { kind: 'nlp', name: 'x', intents: Array.from({ length: 11 }, (_, i) => ({ intent: `i${i}`, utterances: { 'en-US': manyUtterances(500) } })) } },
      /at most 5000 utterances/,
    ],
    ['an utterance of 301 characters', { model: { kind: 'nlp', name: 'x', intents: [{ intent: 'a', utterances: { 'en-US': ['x'.repeat(301)] } }] } }, /300/],
    ['a pattern of 501 characters', { model: { kind: 'regex', name: 'x', intents: [{ intent: 'a', patterns: ['a'.repeat(501)] }] } }, /500/],
    ['a string for a model', { model: 'nlp' }, /model/],
  ])('%s is a 400 that says what is wrong', async (_name, body, message) => {
    const res = await api('PUT', '/bot/language-models/hostile', tokens.author!, body);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toMatch(message);
    expect((await api('GET', '/bot/language-models/hostile', tokens.author!)).status).toBe(404);
  });

  it('answers malformed JSON and an oversized body with a clear error, never a crash', async () => {
    const malformed = await api('PUT', '/bot/language-models/hostile', tokens.author!, '{"model": ');
    expect(malformed.status).toBe(400);
    const huge = await api('PUT', '/bot/language-models/hostile', tokens.author!, JSON.stringify({ model: { kind: 'nlp', name: 'x', intents: [{ intent: 'a', utterances: { 'en-US': Array.from({ length: 400_000 }, () => 'pad') } }] } }));
    expect([400, 413]).toContain(huge.status);
    expect(huge.body.error.code).toBeTruthy();
    expect((await api('GET', '/bot/language-models', tokens.author!)).status).toBe(200);
  });

  it('refuses recognition of text over 2,000 characters or without a text', async () => {
    expect((await api('POST', '/bot/language-models/recognize', tokens.author!, { text: 'x'.repeat(2_001) })).status).toBe(400);
    expect((await api('POST', '/bot/language-models/recognize', tokens.author!, {})).status).toBe(400);
    expect((await api('POST', '/bot/language-models/recognize', tokens.author!, { text: 'hi', locale: '../../etc' })).status).toBe(400);
  });
});

describe('a model at the limits', () => {
  it('trains 5,000 utterances without holding up the server (training runs in a worker)', async () => {
    const words = ['clinic', 'hours', 'parking', 'flu', 'shot', 'lab', 'result', 'form', 'visit', 'nurse', 'portal', 'email', 'phone', 'address', 'map', 'weekend'];
    const intents = Array.from({ length: 10 }, (_, i) => ({
      intent: `topic_${i}`,
      utterances: {
        'en-US': Array.from({ length: 250 }, (_, j) => `${words[(i + j) % 16]} ${words[(i * 3 + j * 7) % 16]} question ${j % 13} about ${words[(j * 11) % 16]}`),
        'es-US': Array.from({ length: 250 }, (_, j) => `pregunta ${words[(i + j) % 16]} sobre ${words[(j * 5) % 16]} ${j % 17}`),
      },
    }));
    let longestPause = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestPause = Math.max(longestPause, now - last);
      last = now;
    }, 10);
    try {
      const saved = await api('PUT', '/bot/language-models/big', tokens.author!, { model: { kind: 'nlp', name: 'Big', intents } });
      expect(saved.status).toBe(201);
      expect(saved.body.evaluation.trained + saved.body.evaluation.heldOut).toBe(5_000);
    } finally {
      clearInterval(ticker);
    }
    expect(longestPause).toBeLessThan(1_000);
  }, 60_000);
});

describe('stored models survive a restart', () => {
  it('a new server on the same database trains them again and recognizes with them', async () => {
    const sqlite = new SQLite(server.config.databasePath);
    try {
      const restarted = createLanguageModels({ sqlite, entities: false });
      const models = await restarted.models();
      expect(models.find((m) => m.id === 'flu-clinic')).toMatchObject({ version: 2, name: 'Flu clinic (winter)', kind: 'nlp' });
      expect(models.find((m) => m.id === 'flu-clinic')!.evaluation!.heldOut).toBeGreaterThan(0);
      expect((await restarted.recognize('flu clinic hours on saturday', 'en-US')).intent).toBe('flu_clinic');
      expect((await restarted.recognize('show me lab hours', 'en-US')).intent).toBe('lab_hours');
      expect((await restarted.model('flu-clinic'))!.versions).toHaveLength(2);
    } finally {
      sqlite.close();
    }
  });
});
