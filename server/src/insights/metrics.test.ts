/**
 * The metric definitions over a hand-built event log in a real SQLite database: every expected
 * figure below is worked out by hand from the eight conversations in `LOG`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../platform/db/index.js';
import type { SupervisorSnapshot } from '../contracts/supervision.js';
import { durationStats, median, percentile } from './metrics.js';
import { clinicDays } from './days.js';
import { InsightsRepository, type InsightEvent } from './repository.js';
import { InsightsService, reportCsv } from './service.js';
import { generateHistory } from './seed.js';

const TZ = 'America/New_York';
const dayOf = clinicDays(TZ);

/** `[conversation, type, at, fields]`: channel per conversation, value in seconds for durations. */
type Row = [string, InsightEvent['type'], string, Partial<InsightEvent>?];
const CHANNEL: Record<string, string> = { c1: 'portal', c2: 'widget', c3: 'portal', c4: 'portal', c5: 'widget', c6: 'widget', c7: 'api', c8: 'portal' };
const s = (seconds: number) => ({ value: seconds * 1000 });

const LOG: Row[] = [
  // c1: general, Ann, waited 20 s, answered after 15 s, handled 300 s, CSAT 5 / NPS 10.
  ['c1', 'conversation.started', '2026-03-02T14:00:00Z'],
  ['c1', 'conversation.handed-off', '2026-03-02T14:01:00Z', { queue: 'general', value: 2 }],
  ['c1', 'conversation.accepted', '2026-03-02T14:01:20Z', { queue: 'general', agentId: 'ann', ...s(20) }],
  ['c1', 'conversation.first-response', '2026-03-02T14:01:35Z', { queue: 'general', agentId: 'ann', ...s(15) }],
  ['c1', 'sentiment.scored', '2026-03-02T14:02:00Z', { queue: 'general', agentId: 'ann', value: -1 }],
  ['c1', 'assist.rated', '2026-03-02T14:03:00Z', { queue: 'general', agentId: 'ann', value: 1 }],
  ['c1', 'sentiment.scored', '2026-03-02T14:05:00Z', { queue: 'general', agentId: 'ann', value: 2 }],
  ['c1', 'conversation.closed', '2026-03-02T14:06:20Z', { queue: 'general', agentId: 'ann', ...s(300) }],
  ['c1', 'survey.answered', '2026-03-02T14:08:00Z', { queue: 'general', agentId: 'ann', value: 5, value2: 10 }],
  // c2: general, Ben, waited 40 s, answered after 45 s, handled 600 s, CSAT 3 / NPS 6.
  ['c2', 'conversation.started', '2026-03-02T15:00:00Z'],
  ['c2', 'conversation.handed-off', '2026-03-02T15:01:00Z', { queue: 'general', value: 2 }],
  ['c2', 'conversation.accepted', '2026-03-02T15:01:40Z', { queue: 'general', agentId: 'ben', ...s(40) }],
  ['c2', 'conversation.first-response', '2026-03-02T15:02:25Z', { queue: 'general', agentId: 'ben', ...s(45) }],
  ['c2', 'sentiment.scored', '2026-03-02T15:03:00Z', { queue: 'general', agentId: 'ben', value: -3 }],
  ['c2', 'assist.rated', '2026-03-02T15:04:00Z', { queue: 'general', agentId: 'ben', value: 0 }],
  ['c2', 'conversation.closed', '2026-03-02T15:11:40Z', { queue: 'general', agentId: 'ben', ...s(600) }],
  ['c2', 'survey.answered', '2026-03-02T15:12:00Z', { queue: 'general', agentId: 'ben', value: 3, value2: 6 }],
  // c3: billing, Ann, waited 100 s, answered after 90 s, one transfer, handled 900 s, CSAT 4 / NPS 8.
  ['c3', 'conversation.started', '2026-03-02T16:00:00Z'],
  ['c3', 'conversation.handed-off', '2026-03-02T16:01:00Z', { queue: 'billing', value: 2 }],
  ['c3', 'conversation.accepted', '2026-03-02T16:02:40Z', { queue: 'billing', agentId: 'ann', ...s(100) }],
  ['c3', 'conversation.first-response', '2026-03-02T16:04:10Z', { queue: 'billing', agentId: 'ann', ...s(90) }],
  ['c3', 'assist.rated', '2026-03-02T16:05:00Z', { queue: 'billing', agentId: 'ann', value: 1 }],
  ['c3', 'conversation.transferred', '2026-03-02T16:06:00Z', { queue: 'billing', agentId: 'ann' }],
  ['c3', 'conversation.closed', '2026-03-02T16:17:40Z', { queue: 'billing', agentId: 'ann', ...s(900) }],
  ['c3', 'survey.answered', '2026-03-02T16:20:00Z', { queue: 'billing', agentId: 'ann', value: 4, value2: 8 }],
  // c4: general, the patient left after 200 s in line.
  ['c4', 'conversation.started', '2026-03-02T17:00:00Z'],
  ['c4', 'conversation.handed-off', '2026-03-02T17:01:00Z', { queue: 'general', value: 2 }],
  ['c4', 'conversation.abandoned', '2026-03-02T17:04:20Z', { queue: 'general', ...s(200) }],
  // c5, c6: the bot sorted it; c7 too, late in the evening in New York (already 3 March in UTC).
  ['c5', 'conversation.started', '2026-03-02T18:00:00Z'],
  ['c5', 'conversation.bot-contained', '2026-03-02T18:03:00Z'],
  ['c6', 'conversation.started', '2026-03-02T19:00:00Z'],
  ['c6', 'conversation.bot-contained', '2026-03-02T19:02:00Z'],
  ['c7', 'conversation.started', '2026-03-03T03:00:00Z'],
  ['c7', 'conversation.bot-contained', '2026-03-03T03:04:00Z'],
  // c8, on 3 March: billing, Ben, waited 10 s, answered after 30 s, handled 120 s.
  ['c8', 'conversation.started', '2026-03-03T15:00:00Z'],
  ['c8', 'conversation.handed-off', '2026-03-03T15:01:00Z', { queue: 'billing', value: 2 }],
  ['c8', 'conversation.accepted', '2026-03-03T15:01:10Z', { queue: 'billing', agentId: 'ben', ...s(10) }],
  ['c8', 'conversation.first-response', '2026-03-03T15:01:40Z', { queue: 'billing', agentId: 'ben', ...s(30) }],
  ['c8', 'sentiment.scored', '2026-03-03T15:02:00Z', { queue: 'billing', agentId: 'ben', value: 3 }],
  ['c8', 'conversation.closed', '2026-03-03T15:03:10Z', { queue: 'billing', agentId: 'ben', ...s(120) }],
];

const toEvent = ([conversationId, type, at, fields = {}]: Row): InsightEvent => ({
  type,
  conversationId,
  at: new Date(at).toISOString(),
  day: dayOf(at),
  channel: CHANNEL[conversationId]!,
  queue: null,
  agentId: null,
  value: null,
  ...fields,
});

const emptySnapshot: SupervisorSnapshot = { at: '', conversations: [], queues: [], agents: [] };
let dir: string;
let database: DatabaseHandle;
let service: InsightsService;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-insights-'));
  database = await openDatabase(path.join(dir, 'insights.db'), { checkpoints: 'inline' });
  const repo = new InsightsRepository(database.sqlite, database.db, null);
  repo.appendMany(LOG.map(toEvent));
  service = new InsightsService({
    repo,
    dayOf,
    timeZone: TZ,
    snapshot: () => emptySnapshot,
    scaleOf: () => null,
    displayNameOf: (id) => ({ ann: 'Ann Agent', ben: 'Ben Agent' })[id],
    queueName: (id) => ({ general: 'General questions', billing: 'Billing' })[id],
  });
});
afterAll(async () => {
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('median, p90 and mean', () => {
  it.each([
    [[], null, null],
    [[7], 7, 7],
    [[1, 2, 3, 4], 2.5, 4],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5.5, 9],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 6, 10],
  ])('of %j: median %s, p90 %s (nearest rank)', (sorted, med, p90) => {
    expect(median(sorted)).toBe(med);
    expect(percentile(sorted, 90)).toBe(p90);
  });

  it('sorts numerically and rounds to the millisecond', () => {
    expect(durationStats([100, 9, 20.4])).toEqual({ count: 3, medianMs: 20, p90Ms: 100, meanMs: 43 });
  });
});

describe('a report over the hand-built log', () => {
  it('totals of both days', async () => {
    const report = await service.report({ from: '2026-03-02', to: '2026-03-03', groupBy: 'day' });
    expect(report.includesSynthetic).toBe(false);
    expect(report.totals).toEqual({
      conversations: 8,
      handedOff: 5,
      botContained: 3,
      containmentRate: 0.375,
      handoffRate: 0.625,
      accepted: 4,
      abandoned: 1,
      abandonmentRate: 0.2,
      transfers: 1,
      // Waits 10, 20, 40, 100 s; first responses 15, 30, 45, 90 s; handle times 120, 300, 600, 900 s.
      waitTime: { count: 4, medianMs: 30_000, p90Ms: 100_000, meanMs: 42_500 },
      firstResponse: { count: 4, medianMs: 37_500, p90Ms: 90_000, meanMs: 45_000 },
      handleTime: { count: 4, medianMs: 450_000, p90Ms: 900_000, meanMs: 480_000 },
      // Of 5 waits that ended (4 answered + 1 abandoned): 2 within 30 s, 3 within 60 s, 4 within 120 s.
      serviceLevel: { s30: 0.4, s60: 0.6, s120: 0.8 },
      csat: { answers: 3, satisfiedShare: 0.6667 },
      // One promoter (10), one detractor (6), one passive (8).
      nps: { answers: 3, score: 0 },
      // Scorings: c1 −1 then +2, c2 −3, c8 +3: (−1 + 2 − 3 + 3) / 4.
      sentiment: { scores: 4, meanScale: 0.25 },
      assist: { rated: 3, accepted: 2, acceptance: 0.6667 },
    });
  });

  it('per clinic day: the evening chat in New York counts on 2 March', async () => {
    const report = await service.report({ from: '2026-03-01', to: '2026-03-03', groupBy: 'day' });
    expect(report.groups.map((g) => [g.key, g.conversations])).toEqual([
      ['2026-03-01', 0],
      ['2026-03-02', 7],
      ['2026-03-03', 1],
    ]);
    const second = report.groups[1]!;
    expect(second).toMatchObject({
      botContained: 3,
      containmentRate: 0.4286,
      waitTime: { count: 3, medianMs: 40_000, p90Ms: 100_000, meanMs: 53_333 },
      serviceLevel: { s30: 0.25, s60: 0.5, s120: 0.75 },
      sentiment: { scores: 3, meanScale: -0.67 },
    });
    expect(report.groups[0]!.firstResponse).toEqual({ count: 0, medianMs: null, p90Ms: null, meanMs: null });
  });

  it('per agent: volume is what each accepted; the bot rates do not apply', async () => {
    const report = await service.report({ from: '2026-03-02', to: '2026-03-03', groupBy: 'agent' });
    const byKey = Object.fromEntries(report.groups.map((g) => [g.key, g]));
    expect(byKey.ann).toMatchObject({
      label: 'Ann Agent',
      conversations: 2,
      transfers: 1,
      firstResponse: { count: 2, medianMs: 52_500, p90Ms: 90_000, meanMs: 52_500 },
      handleTime: { count: 2, medianMs: 600_000, p90Ms: 900_000, meanMs: 600_000 },
      csat: { answers: 2, satisfiedShare: 1 },
      nps: { answers: 2, score: 50 },
      containmentRate: null,
    });
    expect(byKey.ben).toMatchObject({ label: 'Ben Agent', conversations: 2, handleTime: { medianMs: 360_000, p90Ms: 600_000 }, assist: { rated: 1, accepted: 0, acceptance: 0 } });
    // Events without an agent (starts, the bot's, the abandoned wait) group under "(none)".
    expect(byKey['(none)']).toMatchObject({ label: 'No agent (bot or waiting)', conversations: 0, abandoned: 1, botContained: 3 });
    expect(report.totals.conversations).toBe(4);
  });

  it('per channel, and filtered by queue', async () => {
    const byChannel = await service.report({ from: '2026-03-02', to: '2026-03-03', groupBy: 'channel' });
    expect(byChannel.groups.map((g) => [g.key, g.conversations, g.botContained])).toEqual([
      ['api', 1, 1],
      ['portal', 4, 0],
      ['widget', 3, 2],
    ]);
    const billing = await service.report({ from: '2026-03-02', to: '2026-03-03', groupBy: 'day', queue: 'billing' });
    expect(billing.totals).toMatchObject({ conversations: 2, accepted: 2, containmentRate: null, handleTime: { count: 2, medianMs: 510_000, p90Ms: 900_000 } });
  });

  it('the CSV has one row per group and the total, with the JSON figures', async () => {
    const report = await service.report({ from: '2026-03-02', to: '2026-03-03', groupBy: 'queue' });
    const lines = reportCsv(report).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^queue,label,conversations,handed_off,/);
    expect(lines).toHaveLength(report.groups.length + 2);
    expect(lines.at(-1)).toContain('total,Total,5,5,3,,,4,1,0.2,1,37500,90000,45000,450000,900000,480000');
    expect(lines.find((l) => l.startsWith('billing,'))).toContain('billing,Billing,2,2,');
  });
});

describe('the synthetic history', () => {
  it('is deterministic for a seed, marked synthetic, and has the intended shape', () => {
    const options = { seed: 42, days: 14, perWeekday: 200, end: new Date('2026-03-10T18:00:00Z'), agents: [{ id: 'a1', queues: ['general', 'billing', 'scheduling', 'nurse-line', 'pharmacy', 'spanish'] }], timeZone: TZ, dayOf };
    const first = [...generateHistory(options)];
    expect([...generateHistory(options)]).toEqual(first);
    expect(first.every((e) => e.synthetic && e.conversationId.startsWith('synthetic-'))).toBe(true);
    expect(first.every((e) => e.at <= '2026-03-10T18:00:00.000Z')).toBe(true);
    const count = (type: string) => first.filter((e) => e.type === type).length;
    const started = count('conversation.started');
    expect(count('conversation.bot-contained') / started).toBeGreaterThan(0.55);
    expect(count('conversation.bot-contained') / started).toBeLessThan(0.65);
    const responses = first.filter((e) => e.type === 'conversation.first-response').map((e) => e.value!);
    expect(responses.filter((v) => v >= 10_000 && v <= 90_000).length / responses.length).toBeGreaterThan(0.85);
    expect(Math.max(...responses)).toBeGreaterThan(90_000);
    // Today (10 March) has events too.
    expect(first.some((e) => e.day === '2026-03-10')).toBe(true);
  });
});

describe('CSV fields', () => {
  it('quotes commas and quotes, and defuses text a spreadsheet would run as a formula', async () => {
    const report = await service.report({ from: '2026-03-02', to: '2026-03-02', groupBy: 'agent' });
    const named = { ...report, groups: report.groups.map((g, i) => ({ ...g, label: i === 0 ? 'Lee, "Ann"' : '=HYPERLINK("x")' })) };
    const lines = reportCsv(named).split('\r\n');
    expect(lines[1]).toMatch(/^[^,]+,"Lee, ""Ann""",/);
    expect(lines[2]).toMatch(/^[^,]+,"'=HYPERLINK\(""x""\)",/);
  });
});
