import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageView } from '../contracts/conversations.js';
import type { ConversationSentimentEvent, SentimentAlertEvent } from '../contracts/sentiment.js';
import { createGroupCommit, openDatabase, type DatabaseHandle, type GroupCommit } from '../platform/db/index.js';
import { createEventBus, listen, type EventBus } from '../platform/events.js';
import { createLocalModel } from './model.js';
import { createLocalProvider } from './provider.js';
import { SentimentRepository } from './repository.js';
import { SentimentService } from './service.js';
import './events.js';

let dir: string;
let database: DatabaseHandle;
let commits: GroupCommit;
let bus: EventBus;
let updates: ConversationSentimentEvent[];
let alerts: SentimentAlertEvent[];
const local = createLocalProvider(createLocalModel());

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sentiment-service-'));
  database = await openDatabase(path.join(dir, 'test.db'), { checkpoints: 'inline' });
  commits = createGroupCommit(database.sqlite);
  bus = createEventBus((err) => {
    throw err;
  });
  updates = [];
  alerts = [];
  bus.register(listen('sentiment.updated', 'test', (e) => updates.push(e)));
  bus.register(listen('sentiment.alert', 'test', (e) => alerts.push(e)));
});
afterEach(async () => {
  commits.close();
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A service as after a restart: nothing in memory, only what the tables hold. */
const freshService = () =>
  new SentimentService({ repo: new SentimentRepository(database.sqlite), local, commits, events: bus, logger: { error: (o: unknown) => console.error(o) }, alertScale: 2 });

let seq = 0;
const patientMessage = (conversationId: string, body: string, kind: MessageView['sender']['kind'] = 'patient'): MessageView => ({
  id: randomUUID(),
  conversationId,
  seq: ++seq,
  clientMessageId: null,
  sender: { kind, id: 'someone' },
  kind: 'text',
  body,
  createdAt: new Date().toISOString(),
});

describe('SentimentService', () => {
  it('stores every score and the value after it; a restart neither forgets the window nor alerts twice for one crossing', async () => {
    const id = randomUUID();
    const first = freshService();
    for (const body of ['Hi, I have a question about my bill', 'This is ridiculous, I was charged twice!', 'Nobody called me back, I am so angry!!']) first.onMessage(patientMessage(id, body));
    expect(alerts).toHaveLength(1);
    await first.flush();

    // "Restart": a new service over the same tables.
    const second = freshService();
    second.onMessage(patientMessage(id, 'Still waiting, this is unacceptable!!'));
    expect(alerts).toHaveLength(1);
    // The window came back from the tables: four messages count.
    expect(updates.at(-1)!.conversation.messages).toBe(4);
    // Recover above the threshold (re-armed), then fall again: a second alert.
    for (const body of ['Thank you so much, that is great!', 'Perfect, you have been so helpful!!', 'Wonderful, thanks a lot!', 'Great, thank you!']) second.onMessage(patientMessage(id, body));
    expect(updates.at(-1)!.conversation.scale).toBeGreaterThan(2);
    for (const body of ['Wait, what? This is ridiculous!!', 'Terrible, nobody knows anything!!', 'I am furious, worst clinic ever!!!', 'Unacceptable!!!']) second.onMessage(patientMessage(id, body));
    expect(alerts).toHaveLength(2);

    const trend = await second.trend(id, new Map());
    expect(trend.points).toHaveLength(12);
    expect(trend.current).toEqual(updates.at(-1)!.conversation);
    expect(trend.points.filter((p) => p.drop !== null).length).toBeGreaterThanOrEqual(2);
  });

  it('scores patients and visitors, not staff, bots or the system', () => {
    const id = randomUUID();
    const service = freshService();
    for (const kind of ['agent', 'supervisor', 'bot', 'system', 'consultant'] as const) service.onMessage(patientMessage(id, 'This is ridiculous!!', kind));
    expect(updates).toHaveLength(0);
    service.onMessage(patientMessage(id, 'thanks', 'visitor'));
    service.onMessage(patientMessage(id, 'thanks', 'patient'));
    expect(updates).toHaveLength(2);
  });

  it('a drop names its message and the scale it fell from', () => {
    const id = randomUUID();
    const service = freshService();
    service.onMessage(patientMessage(id, 'Thank you so much!'));
    const angry = patientMessage(id, 'This is ridiculous, nobody called me back!!');
    service.onMessage(angry);
    const event = updates.at(-1)!;
    expect(event.drop).toEqual({ from: updates[0]!.conversation.scale, to: event.conversation.scale, messageId: angry.id });
  });
});
