/**
 * Surveys on the `/patient` namespace (authenticated by conversations/realtime.ts, which puts the
 * patient's sockets in their conversations' rooms): `survey:offer` to the patient when a survey is
 * offered; `survey:submit { token, answers }` answered with `{ ok: true, id }` and
 * `survey:pending { conversationId }` with `{ ok: true, offer }` (a fresh link, or null), or an error
 * acknowledgement. A refused event stores nothing and leaves the connection up.
 */
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import { surveyPendingSchema, surveySubmitSchema } from '../contracts/surveys.js';
import type { ConversationAck, ConversationError } from '../contracts/conversations.js';
import type { AppContext } from '../app.js';
import { conversationRoom } from '../conversations/realtime.js';
import type { Actor } from '../conversations/service.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import { ackCodeOf, isAppError } from '../platform/errors.js';

interface PatientSocketData {
  actor?: Extract<Actor, { kind: 'patient' | 'visitor' }>;
}



export function attachSurveyRealtime(namespaces: { patient: Namespace }, ctx: AppContext, options: { submitsPerWindow?: number; windowMs?: number } = {}): () => void {
  const { patient } = namespaces;
  const limiter = new SlidingWindowLimiter({ limit: options.submitsPerWindow ?? 10, windowMs: options.windowMs ?? 60_000 });

  /** Rate limit, payload check, a signed-in patient or visitor, then the service; every outcome is an ack. */
  function handle<S extends z.ZodType, T extends object>(
    socket: Socket,
    event: string,
    body: unknown,
    schema: S,
    failure: string,
    run: (actor: NonNullable<PatientSocketData['actor']>, payload: z.infer<S>) => T,
  ): ConversationAck<T> {
    const fail = (error: ConversationError): ConversationAck<T> => ({ ok: false, error });
    const retryAfter = limiter.retryAfterSeconds(socket.id);
    if (retryAfter > 0) return fail({ code: 'too_many_requests', message: `Too many survey requests: wait ${retryAfter} s.` });
    limiter.hit(socket.id);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return fail({ code: 'bad_payload', message: `Invalid ${event} payload: ${where}${issue?.message ?? 'not accepted'}` });
    }
    const { actor } = socket.data as PatientSocketData;
    if (!actor) return fail({ code: 'forbidden', message: 'Sign in first.' });
    try {
      return { ok: true, ...run(actor, parsed.data) };
    } catch (err) {
      if (isAppError(err)) return fail({ code: ackCodeOf(err), message: err.message });
      ctx.logger.error({ err }, `${event} failed`);
      return fail({ code: 'internal', message: failure });
    }
  }

  patient.on('connection', (socket) => {
    const on = <T extends object>(event: string, respond: (payload: unknown) => ConversationAck<T>) =>
      socket.on(event, (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (reply: ConversationAck<T>) => void) : undefined;
        ack?.(respond(args[0]));
      });
    on('survey:submit', (body) =>
      handle(socket, 'survey:submit', body, surveySubmitSchema, 'The server could not store your answers.', (actor, p) =>
        ctx.surveys.submit(p.token, p.answers, { via: 'chat', userId: actor.userId, role: actor.kind }),
      ),
    );
    on('survey:pending', (body) =>
      handle(socket, 'survey:pending', body, surveyPendingSchema, 'The server could not look up the survey.', (actor, p) => ({ offer: ctx.surveys.pendingFor(actor.userId, p.conversationId) })),
    );
    socket.on('disconnect', () => limiter.reset(socket.id));
  });

  const unsubscribe = ctx.surveys.on('offer', (offer) => {
    patient.to(conversationRoom(offer.conversationId)).emit('survey:offer', offer);
  });
  return unsubscribe;
}
