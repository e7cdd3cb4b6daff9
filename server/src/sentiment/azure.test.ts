import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationSentimentEvent, ConversationSentimentResponse } from '../contracts/sentiment.js';
import { loadConfig } from '../platform/config.js';
import { call } from '../testing/accounts.js';
import { conversationsHarness, say, until } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { startAzureStandIn, type AzureStandIn } from './azure-stand-in.js';
import { createAzureProvider, isLoopbackHttp } from './azure.js';
import { createLocalModel } from './model.js';

const KEY = `key-${randomUUID()}`;
let azure: AzureStandIn;
const logs: unknown[][] = [];
const logger = { warn: (...args: unknown[]) => void logs.push(args) };
const local = createLocalModel();

beforeAll(async () => {
  azure = await startAzureStandIn(KEY);
});
afterAll(async () => {
  await azure.close();
});
beforeEach(() => {
  azure.mode = 'ok';
  azure.requests.length = 0;
  logs.length = 0;
});

describe('the Azure provider against a stand-in of the Text Analytics v3.1 API', () => {
  const provider = () => createAzureProvider({ endpoint: azure.endpoint, key: KEY, timeoutMs: 300, local, logger });

  it('sends what the SDK sends (path, key header, documents with ids and language) and maps the confidences', async () => {
    const results = await provider().score(['Thank you, that was good', 'I am angry, this is bad', 'What time do you open?', 'Muchas gracias, muy amable']);
    expect(azure.requests).toHaveLength(1);
    expect(azure.requests[0]).toMatchObject({
      path: '/text/analytics/v3.1/sentiment',
      key: KEY,
      documents: [
        { id: '0', text: 'Thank you, that was good', language: 'en' },
        { id: '1', text: 'I am angry, this is bad', language: 'en' },
        { id: '2', text: 'What time do you open?', language: 'en' },
        { id: '3', text: 'Muchas gracias, muy amable', language: 'es' },
      ],
    });
    expect(results.map((r) => r.provider)).toEqual(['azure', 'azure', 'azure', 'azure']);
    // score = positive − negative confidence: 0.97 − 0.01, 0.01 − 0.95, 0.05 − 0.05.
    expect(results.map((r) => r.result)).toEqual([
      { label: 'positive', score: 0.96, scale: 7, flags: [] },
      { label: 'negative', score: -0.94, scale: 1, flags: [] },
      { label: 'neutral', score: 0, scale: 4, flags: [] },
      { label: 'neutral', score: 0, scale: 4, flags: [] },
    ]);
  });

  it('batches 10 documents per request and keeps flagged texts local without sending them', async () => {
    const texts = [...Array.from({ length: 23 }, (_, i) => `thank you ${i}`), '', '\u0000\u0001binary', '我想预约下周的医生'];
    const results = await provider().score(texts);
    expect(results).toHaveLength(26);
    expect(azure.requests.map((r) => r.documents.length)).toEqual([10, 10, 3]);
    expect(azure.requests.flatMap((r) => r.documents.map((d) => d.text))).not.toContain('');
    expect(results.slice(23).map((r) => [r.provider, r.result.flags])).toEqual([
      ['local', ['empty']],
      ['local', ['binary']],
      ['local', ['unsupported-language']],
    ]);
  });

  it.each([
    ['a server error', 'server-error' as const, 'RestError 500'],
    ['a refused key', 'unauthorized' as const, 'RestError 401'],
    ['no answer within the timeout', 'hang' as const, 'timeout'],
  ])('falls back to the local scores on %s, and never logs the key', async (_name, mode, reason) => {
    azure.mode = mode;
    const started = Date.now();
    const results = await provider().score(['Thank you so much!', 'This is ridiculous']);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(results).toEqual([
      { provider: 'local', result: local.score('Thank you so much!') },
      { provider: 'local', result: local.score('This is ridiculous') },
    ]);
    expect(JSON.stringify(logs)).toContain(reason);
    expect(JSON.stringify(logs)).not.toContain(KEY);
  });

  it('keeps the local score for a document the service refuses, and uses the others', async () => {
    azure.mode = 'document-error';
    const results = await provider().score(['thank you', 'this is bad']);
    expect(results.map((r) => r.provider)).toEqual(['local', 'azure']);
  });

  it('plain http is for this machine only', () => {
    expect(isLoopbackHttp('http://127.0.0.1:8080')).toBe(true);
    expect(isLoopbackHttp('http://localhost:1')).toBe(true);
    expect(isLoopbackHttp('http://language.example.com')).toBe(false);
    expect(isLoopbackHttp('https://language.example.com')).toBe(false);
    expect(() => loadConfig({ AZURE_LANGUAGE_ENDPOINT: 'http://language.example.com' })).toThrow(/AZURE_LANGUAGE_ENDPOINT: must be https/);
    expect(() => loadConfig({ AZURE_LANGUAGE_ENDPOINT: 'https://x.cognitiveservices.azure.com', AZURE_LANGUAGE_KEY: 'k' })).not.toThrow();
  });
});

describe('with Azure configured, the server rescores on the job worker', () => {
  let server: TestServer;
  const h = conversationsHarness(() => server);

  beforeAll(async () => {
    server = await startTestServer({ ROUTING_ALWAYS_OPEN: '1', AZURE_LANGUAGE_ENDPOINT: azure.endpoint, AZURE_LANGUAGE_KEY: KEY, SENTIMENT_AZURE_TIMEOUT_MS: '500' });
  });
  afterAll(async () => {
    h.closeAll();
    await server.context.conversations.idle();
    await server.close();
  });

  async function chatWithAgent() {
    const agent = await h.desk(`agent-${randomUUID().slice(0, 6)}`);
    const events: ConversationSentimentEvent[] = [];
    agent.socket.on('conversation:sentiment', (e: ConversationSentimentEvent) => events.push(e));
    const chat = await h.visitorChat('Zed');
    await h.accept(agent, chat.conversationId);
    const token = await server.tokenFor({ kind: 'staff', userId: agent.id, email: `${agent.id}@example.test`, role: 'agent', practitionerId: null });
    const trend = async () => (await call<ConversationSentimentResponse>(server, 'GET', `/api/conversations/${chat.conversationId}/sentiment`, { token })).body;
    return { agent, chat, events, trend };
  }

  it('the local score comes at once; Azure’s replaces it when the job has run, and the desk hears both', async () => {
    const { chat, events, trend } = await chatWithAgent();
    const text = 'I am still waiting, this is bad';
    const ack = (await say(chat.socket, chat.conversationId, text)) as { ok: true; messageId: string };
    expect(ack).toMatchObject({ ok: true });
    const first = await until(() => events.find((e) => e.messageId === ack.messageId && e.provider === 'local'));
    expect(first.message.score).toBe(local.score(text).score);
    const second = await until(() => events.find((e) => e.messageId === ack.messageId && e.provider === 'azure'), 8_000);
    expect(second).toMatchObject({ message: { score: -0.94, scale: 1 }, conversation: { label: 'negative' } });
    let stored: ConversationSentimentResponse | undefined;
    for (let i = 0; i < 100 && !stored?.points.some((p) => p.messageId === first.messageId && p.provider === 'azure'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 20));
      stored = await trend();
    }
    const point = stored!.points.find((p) => p.messageId === first.messageId)!;
    expect(point).toMatchObject({ provider: 'azure', message: { score: -0.94 } });
    expect(azure.requests.some((r) => r.documents.some((d) => d.text === text))).toBe(true);
  });

  it('when Azure is down, the local score stays and the message is not retried forever', async () => {
    azure.mode = 'server-error';
    const { chat, events, trend } = await chatWithAgent();
    const text = 'Thank you so much for the help';
    const ack = (await say(chat.socket, chat.conversationId, text)) as { ok: true; messageId: string };
    expect(ack).toMatchObject({ ok: true });
    await until(() => azure.requests.some((r) => r.documents.some((d) => d.text === text)), 8_000);
    const row = await until(
      () => server.context.database.sqlite.prepare("SELECT provider, azure, score FROM sentiment_message_scores WHERE message_id = ? AND azure = 'failed'").get(ack.messageId) as { provider: string; azure: string; score: number } | undefined,
      3_000,
    );
    expect(row).toEqual({ provider: 'local', azure: 'failed', score: local.score(text).score });
    expect(events.every((e) => e.provider === 'local')).toBe(true);
    expect((await trend()).points.at(-1)).toMatchObject({ provider: 'local', message: { label: 'positive' } });
    const job = (await server.context.jobs.list({ state: 'dead' })).filter((j) => j.type === 'sentiment.azure');
    expect(job).toHaveLength(0);
  });
});
