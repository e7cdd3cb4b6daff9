/**
 * The `sentiment.azure` job: Azure AI Language scores a conversation's patient messages that are
 * still `pending` (up to 10 per request, so messages that arrived while the worker was busy go
 * together), and its scores replace the local ones. Payload: the conversation id only (no text);
 * the handler re-reads the messages. Idempotent: applying the same score twice changes nothing, and
 * a message leaves `pending` once done or failed. Azure failing or timing out is not a job failure:
 * the local scores stay (`failed`), so the job does not retry against a service that is down.
 */
import { z } from 'zod';
import { defineJob } from '../platform/jobs/index.js';
import { AZURE_BATCH } from './azure.js';
import type { SentimentProvider } from './provider.js';
import type { SentimentRepository } from './repository.js';
import type { SentimentService } from './service.js';

export const AZURE_JOB = 'sentiment.azure';

export function azureSentimentJob(deps: {
  provider: SentimentProvider;
  repo: SentimentRepository;
  service: SentimentService;
  patientMessageBodies: (conversationId: string) => Map<string, string>;
}) {
  return defineJob({
    type: AZURE_JOB,
    schema: z.object({ conversationId: z.string().min(1).max(100) }),
    maxAttempts: 3,
    handle: async ({ conversationId }, ctx) => {
      // Scores are written in batches: the ones this job is for may still be on their way.
      await deps.service.flush();
      const pending = deps.repo.pendingAzure(conversationId, AZURE_BATCH);
      if (pending.length === 0) return { scored: 0 };
      const bodies = deps.patientMessageBodies(conversationId);
      const scored = await deps.provider.score(
        pending.map((row) => bodies.get(row.message_id) ?? ''),
        { signal: ctx.signal },
      );
      await deps.service.applyAzure(
        conversationId,
        pending.map((row, i) => ({ messageId: row.message_id, scored: scored[i]! })),
      );
      return { scored: scored.filter((s) => s.provider === 'azure').length, fellBack: scored.filter((s) => s.provider !== 'azure').length };
    },
  });
}
