/**
 * Surveys on the `/patient` namespace (authenticated by conversations/realtime.ts, which puts the
 * patient's sockets in their conversations' rooms): `survey:offer` to the patient when a survey is
 * offered, and `survey:submit { token, answers }` answered with `{ ok: true, id }` or an error
 * acknowledgement. A refused submit stores nothing and leaves the connection up.
 */
import type { Namespace, Socket } from 'socket.io';
import { surveyPendingSchema, surveySubmitSchema, type SurveyOffer } from '../contracts/surveys.js';
import type { ConversationAck, ConversationError, ConversationErrorCode } from '../contracts/conversations.js';
import type { AppContext } from '../app.js';
import { conversationRoom } from '../conversations/realtime.js';
import type { Actor } from '../conversations/service.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import { isAppError } from '../platform/http/errors.js';

interface PatientSocketData {
  actor?: Extract<Actor, { kind: 'patient' | 'visitor' }>;
}

export type SurveySubmitAck = ConversationAck<{ id: string }>;
export type SurveyPendingAck = ConversationAck<{ offer: SurveyOffer | null }>;

/** HTTP statuses of the service's errors as acknowledgement codes (an expired link is a conflict here). */
function ackCode(status: number): ConversationErrorCode {
  if (status === 400) return 'bad_payload';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409 || status === 410) return 'conflict';
  if (status === 429) return 'too_many_requests';
  return 'internal';
}

export function attachSurveyRealtime(namespaces: { patient: Namespace }, ctx: AppContext, options: { submitsPerWindow?: number; windowMs?: number } = {}): () => void {
  const { patient } = namespaces;
  const limiter = new SlidingWindowLimiter({ limit: options.submitsPerWindow ?? 10, windowMs: options.windowMs ?? 60_000 });

  function submit(socket: Socket, payload: unknown): SurveySubmitAck {
    const fail = (error: ConversationError): SurveySubmitAck => ({ ok: false, error });
    const retryAfter = limiter.retryAfterSeconds(socket.id);
    if (retryAfter > 0) return fail({ code: 'too_many_requests', message: `Too many survey answers: wait ${retryAfter} s.` });
    limiter.hit(socket.id);
    const parsed = surveySubmitSchema.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return fail({ code: 'bad_payload', message: `Invalid survey:submit payload: ${where}${issue?.message ?? 'not accepted'}` });
    }
    const { actor } = socket.data as PatientSocketData;
    if (!actor) return fail({ code: 'forbidden', message: 'Sign in first.' });
    try {
      const { id } = ctx.surveys.submit(parsed.data.token, parsed.data.answers, { via: 'chat', userId: actor.userId, role: actor.kind });
      return { ok: true, id };
    } catch (err) {
      if (isAppError(err)) return fail({ code: ackCode(err.status), message: err.message });
      ctx.logger.error({ err }, 'survey:submit failed');
      return fail({ code: 'internal', message: 'The server could not store your answers.' });
    }
  }

  function pending(socket: Socket, payload: unknown): SurveyPendingAck {
    const fail = (error: ConversationError): SurveyPendingAck => ({ ok: false, error });
    const retryAfter = limiter.retryAfterSeconds(socket.id);
    if (retryAfter > 0) return fail({ code: 'too_many_requests', message: `Too many survey requests: wait ${retryAfter} s.` });
    limiter.hit(socket.id);
    const parsed = surveyPendingSchema.safeParse(payload);
    if (!parsed.success) return fail({ code: 'bad_payload', message: `Invalid survey:pending payload: ${parsed.error.issues[0]?.message ?? 'not accepted'}` });
    const { actor } = socket.data as PatientSocketData;
    if (!actor) return fail({ code: 'forbidden', message: 'Sign in first.' });
    try {
      return { ok: true, offer: ctx.surveys.pendingFor(actor.userId, parsed.data.conversationId) };
    } catch (err) {
      if (isAppError(err)) return fail({ code: ackCode(err.status), message: err.message });
      ctx.logger.error({ err }, 'survey:pending failed');
      return fail({ code: 'internal', message: 'The server could not look up the survey.' });
    }
  }

  patient.on('connection', (socket) => {
    socket.on('survey:submit', (...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (reply: SurveySubmitAck) => void) : undefined;
      ack?.(submit(socket, args[0]));
    });
    socket.on('survey:pending', (...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (reply: SurveyPendingAck) => void) : undefined;
      ack?.(pending(socket, args[0]));
    });
    socket.on('disconnect', () => limiter.reset(socket.id));
  });

  const unsubscribe = ctx.surveys.on('offer', (offer) => {
    patient.to(conversationRoom(offer.conversationId)).emit('survey:offer', offer);
  });
  return unsubscribe;
}
