/**
 * The test chat's side of the Direct Line–shaped API: send an activity and read the ones after the
 * watermark, with the chat's own visitor token (not the author's access token, which baseApi would
 * add — hence plain fetch here). Answers are checked with zod before the pane shows them.
 */
import { z } from 'zod';

const activitySchema = z.object({
  id: z.string(),
  type: z.enum(['message', 'event']),
  from: z.object({ id: z.string(), role: z.enum(['user', 'bot', 'agent']), name: z.string().optional() }),
  text: z.string(),
  textFormat: z.enum(['markdown', 'plain']).optional(),
  suggestedActions: z.object({ actions: z.array(z.object({ title: z.string(), value: z.string() })) }).optional(),
  attachments: z.array(z.object({ contentType: z.string(), content: z.record(z.string(), z.unknown()) })).optional(),
});
const activitiesSchema = z.object({ activities: z.array(activitySchema), watermark: z.string() });
export type TestActivity = z.infer<typeof activitySchema>;

export interface TestChatSession {
  serverUrl: string;
  conversationId: string;
  token: string;
}

async function request(session: TestChatSession, path: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(`${session.serverUrl}/api/bot/conversations/${encodeURIComponent(session.conversationId)}/activities${path}`, {
    ...init,
    headers: { authorization: `Bearer ${session.token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    credentials: 'omit',
  });
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: unknown } } | undefined;
  if (!response.ok) throw new Error(typeof body?.error?.message === 'string' ? body.error.message : `The server answered ${response.status}.`);
  return body;
}

/** Sends a message (the POST answers once the bot's turn is stored). */
export async function sendTestMessage(session: TestChatSession, text: string): Promise<void> {
  await request(session, '', { method: 'POST', body: JSON.stringify({ type: 'message', text }) });
}

export async function readTestActivities(session: TestChatSession, watermark: string): Promise<{ activities: TestActivity[]; watermark: string }> {
  return activitiesSchema.parse(await request(session, `?watermark=${encodeURIComponent(watermark)}`));
}
