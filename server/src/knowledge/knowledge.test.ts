/**
 * The knowledge API against a real server and SQLite file, with the shipped knowledge-base/ and
 * synonyms: search as patients and agents type, hostile text, who sees what, bad input, and the
 * editors' workflow (draft → review → published, versions, restore, review due).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  KnowledgeArticle,
  KnowledgeListResponse,
  KnowledgeReviewDueResponse,
  KnowledgeSearchResponse,
  KnowledgeVersionsResponse,
  KnowledgeWriteResponse,
} from '../contracts/knowledge.js';
import type { Principal } from '../platform/auth/principal.js';
import { staffPrincipal } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';

const patient: Principal = { kind: 'patient', userId: 'kb-patient', email: 'kb-patient@example.test', role: 'patient', patientId: 'kb-patient-1' };

let server: TestServer;
let tokens: Record<'agent' | 'supervisor' | 'admin' | 'patient' | 'outreach', string>;

async function call<T = unknown>(method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}/api${url}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const search = (q: string, extra = '', token?: string) => call<KnowledgeSearchResponse>('GET', `/knowledge/search?q=${encodeURIComponent(q)}${extra}`, token);
const ids = (response: { body: KnowledgeSearchResponse }) => response.body.results.map((r) => r.id);

const draft = {
  title: 'Parking at the clinic',
  summary: 'Where to park, what it costs, and accessible spaces near the entrance.',
  audience: 'patient',
  category: 'clinic',
  tags: ['parking', 'car park'],
  language: 'en',
  reviewDate: '2027-05-01',
  owner: 'Front Desk Manager',
  body: '## Parking\n\nParking is free for patients in the lot beside the entrance. Accessible spaces are nearest the doors.',
};

beforeAll(async () => {
  server = await startTestServer();
  tokens = {
    agent: await server.tokenFor(staffPrincipal('kb-agent', 'agent')),
    supervisor: await server.tokenFor(staffPrincipal('kb-supervisor', 'supervisor')),
    admin: await server.tokenFor(staffPrincipal('kb-admin', 'admin')),
    outreach: await server.tokenFor(staffPrincipal('kb-outreach', 'outreach')),
    patient: await server.tokenFor(patient),
  };
});
afterAll(async () => {
  await server?.close();
});

describe('search', () => {
  it.each([
    ['high blood pressure', 'high-blood-pressure'],
    ['HBP', 'high-blood-pressure'],
    ['hypertension', 'high-blood-pressure'],
    ['heart attack warning signs', 'heart-attack-warning-signs'],
    ['myocardial infarction', 'heart-attack-warning-signs'],
    ['signs of a stroke', 'stroke-warning-signs'],
    ['my sugar is high', 'type-2-diabetes'],
    ['water pill', 'water-pills-diuretics'],
    ['burning when i pee', 'urinary-tract-infection'],
    ['how do I cancel my appointment', 'cancelling-or-rescheduling'],
    ['forgot my password', 'portal-password-and-sign-in'],
    ['refill my meds', 'prescription-refills'],
  ])('finds %j first: %s', async (q, expected) => {
    const res = await search(q, '&language=en');
    expect(res.status).toBe(200);
    expect(ids(res)[0]).toBe(expected);
  });

  it('corrects misspellings and says what it searched for', async () => {
    const res = await search('hart atack', '&language=en');
    expect(res.body.correctedQuery).toBe('heart attack');
    expect(ids(res)[0]).toBe('heart-attack-warning-signs');
    expect((await search('diabetis', '&language=en')).body.results[0]?.id).toBe('type-2-diabetes');
  });

  it('corrects patients only towards words of articles they may read', async () => {
    // "improvise" is a word of agent-only articles alone: staff are corrected to it, patients never see it.
    expect((await search('improvize', '', tokens.agent)).body.correctedQuery).toBe('improvise');
    for (const token of [undefined, tokens.patient]) {
      const res = await search('improvize', '', token);
      expect(res.status).toBe(200);
      expect(res.body.correctedQuery ?? '').not.toContain('improvise');
    }
  });

  it('matches the last word as a prefix while it is typed', async () => {
    expect(ids(await search('hypert', '&language=en'))[0]).toBe('high-blood-pressure');
    expect(ids(await search('mammo', '&language=en'))[0]).toBe('breast-cancer-screening');
  });

  it('searches Spanish with its own synonyms', async () => {
    expect(ids(await search('presión alta', '&language=es'))[0]).toBe('presion-alta');
    expect(ids(await search('ataque al corazón', '&language=es'))[0]).toBe('senales-de-infarto');
    expect(ids(await search('ardor al orinar', '&language=es'))[0]).toBe('infeccion-urinaria');
  });

  it('marks the matched words in a snippet and gives a score that falls down the list', async () => {
    const { body } = await search('inhaler', '&language=en');
    const first = body.results[0]!;
    expect(first).toMatchObject({ id: 'asthma-basics', title: 'Asthma: control and flare-ups', audience: 'patient', category: 'conditions', language: 'en' });
    expect(first.snippet.some((p) => p.match && /inhaler/i.test(p.text))).toBe(true);
    const scores = body.results.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('filters by language, category and audience, and limits', async () => {
    const spanish = await search('gripe', '&language=es');
    expect(spanish.body.results.every((r) => r.language === 'es')).toBe(true);
    const vaccines = await search('flu', '&category=vaccines');
    expect(vaccines.body.results.map((r) => r.category)).toEqual(vaccines.body.results.map(() => 'vaccines'));
    expect(vaccines.body.results[0]?.id).toBe('flu-vaccine');
    const agentOnly = await search('emergency', '&audience=agent', tokens.agent);
    expect(agentOnly.body.results.length).toBeGreaterThan(0);
    expect(agentOnly.body.results.every((r) => r.audience === 'agent' || r.audience === 'both')).toBe(true);
    expect((await search('pain', '&limit=2')).body.results).toHaveLength(2);
  });

  it('shows agent articles to staff only', async () => {
    const q = 'handling a possible emergency in chat';
    expect(ids(await search(q, '', tokens.agent))[0]).toBe('agent-emergency-in-chat');
    for (const token of [undefined, tokens.patient]) {
      const res = await search(q, '', token);
      expect(res.status).toBe(200);
      expect(res.body.results.every((r) => r.audience !== 'agent')).toBe(true);
      // Asking for agent articles outright finds those written for everyone, never agent-only ones.
      expect((await search(q, '&audience=agent', token)).body.results.every((r) => r.audience === 'both')).toBe(true);
    }
  });

  it.each([
    ['quotes', '"heart attack'],
    ['FTS operators', 'heart NEAR attack AND NOT flu OR -stroke'],
    ['NEAR()', 'NEAR(heart attack, 2)'],
    ['stars and minus', '* heart* -attack ^flu'],
    ['unbalanced parentheses', '((((heart attack'],
    ['column filters', 'title:heart body:attack {title}'],
    ['SQL', "'; DROP TABLE knowledge_articles; --"],
    ['emoji', '❤️ heart attack 🚑😷'],
    ['control characters', '\u0001heart\u0002 attack\u0000'],
    ['10 kB', 'heart attack '.repeat(800)],
    ['only punctuation', '"()*-:^'],
    ['empty', ''],
  ])('never errors on %s', async (_what, q) => {
    const res = await search(q);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.results)).toBe(true);
  });

  it('still works after hostile queries', async () => {
    expect((await call('GET', '/knowledge/articles/high-blood-pressure')).status).toBe(200);
    expect(ids(await search('high blood pressure', '&language=en'))[0]).toBe('high-blood-pressure');
  });

  it.each([
    ['an unknown audience', '&audience=everyone'],
    ['an unknown language', '&language=fr'],
    ['a bad category', '&category=Not%20A%20Slug'],
    ['a limit of 0', '&limit=0'],
    ['a limit of 1000', '&limit=1000'],
    ['a non-numeric limit', '&limit=ten'],
    ['an unknown parameter', '&sort=title'],
  ])('answers %s with 400 naming the parameter', async (_what, extra) => {
    const res = await call<{ error: { code: string; message: string } }>('GET', `/knowledge/search?q=flu${extra}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('refuses a missing q and a query over 12,000 characters with 400', async () => {
    expect((await call('GET', '/knowledge/search')).status).toBe(400);
    expect((await call('GET', `/knowledge/search?q=${'a'.repeat(12_001)}`)).status).toBe(400);
  });
});

describe('reading', () => {
  it('gives an article with its translations, related articles and excerpts, to anyone', async () => {
    const res = await call<KnowledgeArticle>('GET', '/knowledge/articles/high-blood-pressure');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'high-blood-pressure', language: 'en', status: 'published', audience: 'patient', translationOf: null, pending: null });
    expect(res.body.body).toContain('## The numbers');
    expect(res.body.conditions).toContain('http://hl7.org/fhir/sid/icd-10-cm|I10');
    expect(res.body.translations).toEqual([{ id: 'presion-alta', language: 'es', title: 'Presión alta (hipertensión)' }]);
    expect(res.body.related.length).toBeGreaterThan(0);
    expect(res.body.related.map((r) => r.id)).not.toContain('high-blood-pressure');
    expect(res.body.excerpts[0]).toMatch(/^High blood pressure, also called hypertension/);
    const spanish = await call<KnowledgeArticle>('GET', '/knowledge/articles/presion-alta');
    expect(spanish.body.translations).toEqual([{ id: 'high-blood-pressure', language: 'en', title: 'High blood pressure (hypertension)' }]);
  });

  it('hides agent articles from patients and visitors (404), not from staff', async () => {
    expect((await call('GET', '/knowledge/articles/agent-verifying-identity')).status).toBe(404);
    expect((await call('GET', '/knowledge/articles/agent-verifying-identity', tokens.patient)).status).toBe(404);
    expect((await call('GET', '/knowledge/articles/agent-verifying-identity', tokens.agent)).status).toBe(200);
  });

  it('answers unknown and malformed ids with 404', async () => {
    for (const id of ['no-such-article', 'UPPER', '..%2F..%2Fetc', 'x'.repeat(200)]) {
      const res = await call<{ error: { code: string } }>('GET', `/knowledge/articles/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('lists by category with counts; patients see patient articles only', async () => {
    const staffList = await call<KnowledgeListResponse>('GET', '/knowledge/articles?language=en', tokens.agent);
    const publicList = await call<KnowledgeListResponse>('GET', '/knowledge/articles?language=en');
    expect(staffList.body.articles.length).toBeGreaterThanOrEqual(60);
    expect(publicList.body.articles.every((a) => a.audience !== 'agent')).toBe(true);
    expect(publicList.body.categories.find((c) => c.category === 'agent-guides')).toBeUndefined();
    const vaccines = await call<KnowledgeListResponse>('GET', '/knowledge/articles?category=vaccines&language=en');
    expect(vaccines.body.categories).toEqual([{ category: 'vaccines', count: vaccines.body.articles.length }]);
    expect((await call('GET', '/knowledge/articles?status=bogus', tokens.supervisor)).status).toBe(400);
  });
});

describe('editing', () => {
  it('takes an article from draft through review to published, searchable only then', async () => {
    const created = await call<KnowledgeWriteResponse>('POST', '/knowledge/articles', tokens.supervisor, draft);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 'parking-at-the-clinic', version: 1, status: 'draft', publishedVersion: null });

    // A draft: editors read it; nobody else sees it, and search does not find it.
    expect((await call('GET', '/knowledge/articles/parking-at-the-clinic')).status).toBe(404);
    expect((await call('GET', '/knowledge/articles/parking-at-the-clinic', tokens.agent)).status).toBe(404);
    const asEditor = await call<KnowledgeArticle>('GET', '/knowledge/articles/parking-at-the-clinic', tokens.admin);
    expect(asEditor.body).toMatchObject({ status: 'draft', version: 1, publishedVersion: null, pending: { version: 1, status: 'draft' } });
    expect(ids(await search('parking', '', tokens.supervisor))).not.toContain('parking-at-the-clinic');
    const drafts = await call<KnowledgeListResponse>('GET', '/knowledge/articles?status=draft', tokens.supervisor);
    expect(drafts.body.articles.map((a) => a.id)).toContain('parking-at-the-clinic');

    // Publishing a draft that was not reviewed is refused.
    expect((await call('POST', '/knowledge/articles/parking-at-the-clinic/publish', tokens.supervisor)).status).toBe(409);
    const submitted = await call<KnowledgeWriteResponse>('POST', '/knowledge/articles/parking-at-the-clinic/submit', tokens.supervisor);
    expect(submitted.body).toMatchObject({ version: 1, status: 'review' });
    expect((await call('POST', '/knowledge/articles/parking-at-the-clinic/submit', tokens.supervisor)).status).toBe(409);
    const published = await call<KnowledgeWriteResponse>('POST', '/knowledge/articles/parking-at-the-clinic/publish', tokens.admin);
    expect(published.body).toEqual({ id: 'parking-at-the-clinic', version: 1, status: 'published', publishedVersion: 1 });
    expect(ids(await search('parking'))[0]).toBe('parking-at-the-clinic');
    expect((await call('GET', '/knowledge/articles/parking-at-the-clinic')).status).toBe(200);
    expect((await call('POST', '/knowledge/articles/parking-at-the-clinic/publish', tokens.admin)).status).toBe(409);

    // A second version: the first stays published until the second is.
    const edited = await call<KnowledgeWriteResponse>('PUT', '/knowledge/articles/parking-at-the-clinic/draft', tokens.supervisor, {
      ...draft,
      title: 'Parking and drop-off at the clinic',
      body: `${draft.body}\n\nThe drop-off zone by the doors is for 10 minutes at most.`,
      baseVersion: 1,
    });
    expect(edited.body).toMatchObject({ version: 2, status: 'draft', publishedVersion: 1 });
    expect((await call<KnowledgeArticle>('GET', '/knowledge/articles/parking-at-the-clinic')).body.title).toBe('Parking at the clinic');
    expect(ids(await search('drop-off zone'))).not.toContain('parking-at-the-clinic');
    // Someone still editing version 1 is told it changed.
    const stale = await call<{ error: { code: string } }>('PUT', '/knowledge/articles/parking-at-the-clinic/draft', tokens.admin, { ...draft, baseVersion: 1 });
    expect(stale.status).toBe(409);
    await call('POST', '/knowledge/articles/parking-at-the-clinic/submit', tokens.supervisor);
    await call('POST', '/knowledge/articles/parking-at-the-clinic/publish', tokens.supervisor);
    expect((await call<KnowledgeArticle>('GET', '/knowledge/articles/parking-at-the-clinic')).body).toMatchObject({ title: 'Parking and drop-off at the clinic', version: 2 });
    expect(ids(await search('drop-off zone'))[0]).toBe('parking-at-the-clinic');

    // History: both versions, the first superseded; restoring it makes a draft of its content.
    const versions = await call<KnowledgeVersionsResponse>('GET', '/knowledge/articles/parking-at-the-clinic/versions', tokens.supervisor);
    expect(versions.body.versions.map((v) => [v.version, v.status, v.source])).toEqual([
      [2, 'published', 'editor'],
      [1, 'superseded', 'editor'],
    ]);
    const old = await call<KnowledgeArticle>('GET', '/knowledge/articles/parking-at-the-clinic/versions/1', tokens.supervisor);
    expect(old.body).toMatchObject({ title: 'Parking at the clinic', status: 'superseded' });
    const restored = await call<KnowledgeWriteResponse>('POST', '/knowledge/articles/parking-at-the-clinic/versions/1/restore', tokens.supervisor);
    expect(restored.body).toEqual({ id: 'parking-at-the-clinic', version: 3, status: 'draft', publishedVersion: 2 });
    const three = await call<KnowledgeArticle>('GET', '/knowledge/articles/parking-at-the-clinic/versions/3', tokens.supervisor);
    expect(three.body).toMatchObject({ title: 'Parking at the clinic', status: 'draft' });
    expect((await call('POST', '/knowledge/articles/parking-at-the-clinic/versions/3/restore', tokens.supervisor)).status).toBe(409);

    // Every change is in the audit log, with who made it.
    const audit = server.context.database.sqlite
      .prepare("SELECT action, actor_id FROM audit_log WHERE resource_type = 'KnowledgeArticle' AND resource_id = 'parking-at-the-clinic' ORDER BY seq")
      .all() as Array<{ action: string; actor_id: string }>;
    expect(audit.map((a) => a.action)).toEqual(['knowledge.create', 'knowledge.submit', 'knowledge.publish', 'knowledge.update', 'knowledge.submit', 'knowledge.publish', 'knowledge.restore']);
    expect(audit[2]!.actor_id).toBe('kb-admin');
  });

  it('lets only supervisors and admins write', async () => {
    for (const token of [tokens.agent, tokens.outreach, tokens.patient]) {
      expect((await call('POST', '/knowledge/articles', token, { ...draft, id: 'not-allowed' })).status).toBe(403);
      expect((await call('PUT', '/knowledge/articles/high-blood-pressure/draft', token, draft)).status).toBe(403);
      expect((await call('POST', '/knowledge/articles/high-blood-pressure/submit', token)).status).toBe(403);
      expect((await call('GET', '/knowledge/articles/high-blood-pressure/versions', token)).status).toBe(403);
      expect((await call('GET', '/knowledge/review-due', token)).status).toBe(403);
    }
    expect((await call('POST', '/knowledge/articles', undefined, draft)).status).toBe(401);
    expect((await call('GET', '/knowledge/articles/not-allowed', tokens.admin)).status).toBe(404);
  });

  it.each([
    ['no title', { ...draft, title: undefined }, 'title'],
    ['an empty body', { ...draft, body: '   ' }, 'body'],
    ['a bad audience', { ...draft, audience: 'everyone' }, 'audience'],
    ['a bad date', { ...draft, reviewDate: '2027-13-01' }, 'reviewDate'],
    ['a bad condition code', { ...draft, conditions: ['I10'] }, 'conditions.0'],
    ['a bad id', { ...draft, id: 'Not A Slug' }, 'id'],
    ['an unknown field', { ...draft, colour: 'red' }, 'body'],
    ['too many tags', { ...draft, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
    ['a huge body', { ...draft, body: 'x'.repeat(40_001) }, 'body'],
  ])('refuses a new article with %s (400, naming the field), storing nothing', async (_what, body, field) => {
    const res = await call<{ error: { code: string; details: { issues: Array<{ path: string }> } } }>('POST', '/knowledge/articles', tokens.supervisor, body);
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues.map((i) => i.path)).toContain(field);
    expect((await call('GET', '/knowledge/articles/parking-at-the-clinic-2', tokens.supervisor)).status).toBe(404);
  });

  it('refuses malformed JSON with 400 and a taken id with 409', async () => {
    expect((await call('POST', '/knowledge/articles', tokens.supervisor, '{"title": ')).status).toBe(400);
    const taken = await call<{ error: { code: string } }>('POST', '/knowledge/articles', tokens.supervisor, { ...draft, id: 'high-blood-pressure' });
    expect(taken.status).toBe(409);
    expect((await call<KnowledgeArticle>('GET', '/knowledge/articles/high-blood-pressure')).body.title).toBe('High blood pressure (hypertension)');
  });

  it('refuses a translation of nothing, or of itself, with 422', async () => {
    expect((await call('POST', '/knowledge/articles', tokens.supervisor, { ...draft, id: 'estacionamiento', language: 'es', translationOf: 'no-such-article' })).status).toBe(422);
    expect((await call('PUT', '/knowledge/articles/high-blood-pressure/draft', tokens.supervisor, { ...draft, translationOf: 'high-blood-pressure' })).status).toBe(422);
  });

  it('answers actions on unknown articles and versions with 404, and bad version numbers too', async () => {
    expect((await call('PUT', '/knowledge/articles/no-such-article/draft', tokens.supervisor, draft)).status).toBe(404);
    expect((await call('POST', '/knowledge/articles/no-such-article/submit', tokens.supervisor)).status).toBe(404);
    expect((await call('GET', '/knowledge/articles/high-blood-pressure/versions/99', tokens.supervisor)).status).toBe(404);
    expect((await call('GET', '/knowledge/articles/high-blood-pressure/versions/abc', tokens.supervisor)).status).toBe(404);
    expect((await call('POST', '/knowledge/articles/high-blood-pressure/versions/-1/restore', tokens.supervisor)).status).toBe(404);
    expect((await call('POST', '/knowledge/articles/high-blood-pressure/submit', tokens.supervisor)).status).toBe(409);
  });

  it('lists articles due for review within 30 days, overdue first', async () => {
    const res = await call<KnowledgeReviewDueResponse>('GET', '/knowledge/review-due', tokens.supervisor);
    expect(res.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const limit = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    expect(res.body.items.every((i) => i.reviewDate <= limit)).toBe(true);
    expect(res.body.items.map((i) => i.reviewDate)).toEqual([...res.body.items.map((i) => i.reviewDate)].sort());
    for (const item of res.body.items) expect(item.overdue).toBe(item.reviewDate < today);
    const wide = await call<KnowledgeReviewDueResponse>('GET', '/knowledge/review-due?withinDays=365', tokens.supervisor);
    expect(wide.body.items.length).toBeGreaterThan(res.body.items.length);
    expect((await call('GET', '/knowledge/review-due?withinDays=-1', tokens.supervisor)).status).toBe(400);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await call<{ paths: Record<string, unknown> }>('GET', '/openapi.json')).body;
    for (const p of ['/api/knowledge/search', '/api/knowledge/articles', '/api/knowledge/articles/{id}', '/api/knowledge/articles/{id}/draft', '/api/knowledge/articles/{id}/publish', '/api/knowledge/articles/{id}/versions/{version}/restore', '/api/knowledge/review-due']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});

describe('import', () => {
  const article = (title: string, extra = '') =>
    `---\nid: parking\ntitle: "${title}"\nsummary: "Where to park."\naudience: patient\ncategory: clinic\ntags: [parking]\nlanguage: en\nreviewDate: 2027-01-01\nowner: "Front desk"\n${extra}---\nPark in the lot by the entrance. It is free for patients.\n`;

  it('imports new files, makes a changed file a new version, and skips a bad one keeping what was published', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-import-'));
    fs.mkdirSync(path.join(dir, 'en'));
    const file = path.join(dir, 'en', 'parking.md');
    try {
      fs.writeFileSync(file, article('Parking'));
      const knowledge = server.context.knowledge;
      expect(knowledge.importDirectory(dir)).toMatchObject({ created: 1, updated: 0, unchanged: 0, skipped: [] });
      expect(knowledge.importDirectory(dir)).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
      fs.writeFileSync(file, article('Parking and drop-off'));
      expect(knowledge.importDirectory(dir)).toMatchObject({ updated: 1 });
      expect((await call<KnowledgeArticle>('GET', '/knowledge/articles/parking')).body).toMatchObject({ title: 'Parking and drop-off', version: 2 });
      const versions = await call<KnowledgeVersionsResponse>('GET', '/knowledge/articles/parking/versions', tokens.admin);
      expect(versions.body.versions.map((v) => [v.version, v.status, v.source])).toEqual([
        [2, 'published', 'file'],
        [1, 'superseded', 'file'],
      ]);

      fs.writeFileSync(file, article('Parking', 'audience: everyone\n').replace('audience: patient\n', ''));
      const report = knowledge.importDirectory(dir);
      expect(report.skipped).toEqual([{ file: path.join('en', 'parking.md'), field: 'audience', message: expect.any(String) as string }]);
      expect((await call<KnowledgeArticle>('GET', '/knowledge/articles/parking')).body).toMatchObject({ title: 'Parking and drop-off', version: 2 });
      expect(ids(await search('parking drop-off'))[0]).toBe('parking');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
