/**
 * The smart-assist domain: suggestions for each patient message in a conversation with staff, the
 * red-flag banner, agents' ratings and the acceptance report. It listens to the conversation events
 * and pushes `assist:suggestions` to the staff in the conversation; it edits nothing of the
 * conversation core. See README.md.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { assistRatingRequestSchema, assistReportQuerySchema, type AssistRedFlagNotice, type AssistUpdate } from '../contracts/assist.js';
import { SUPERVISOR_ROLES } from '../contracts/supervision.js';
import { addGuardedRoute, requireStaff, roles } from '../platform/auth/access.js';
import { badRequest, notFound, notFoundMessage } from '../platform/errors.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { parseInput } from '../platform/http/validation.js';
import { listen } from '../platform/events.js';
import { requestMeta } from '../platform/http/request-meta.js';
import type { DomainModule } from '../platform/module.js';
import type { MessageView } from '../contracts/conversations.js';
import { AssistService, type AssistDeps } from './service.js';
import { summarize } from './summary.js';
import type { ResolvedConversation } from './similar.js';

export { AssistService, RED_FLAG_SCRIPT, type AssistConversation, type AssistDeps } from './service.js';
export { SimilarConversations, type ResolvedConversation } from './similar.js';

const READERS = ['agent', 'supervisor', 'admin'] as const;
const conversationIdParam = z.string().uuid();

/** What the similarity index keeps of a closed conversation: its wrap-up and hand-off words. */
export function resolvedOf(
  conversation: { id: string; closedAt: string | null; queue: string | null; handoff?: { intent: string; summary: string } | null; wrapup?: { disposition: string | null; notes: string | null } | null },
  dispositionLabel: (code: string) => string | undefined,
): ResolvedConversation {
  const disposition = conversation.wrapup?.disposition ?? null;
  const label = disposition ? (dispositionLabel(disposition) ?? null) : null;
  return {
    id: conversation.id,
    closedAt: conversation.closedAt,
    queue: conversation.queue,
    disposition,
    dispositionLabel: label,
    text: [conversation.wrapup?.notes, label, conversation.handoff?.summary, conversation.handoff?.intent].filter(Boolean).join('. '),
  };
}

export interface AssistModuleDeps extends Omit<AssistDeps, 'push' | 'notifySupervisors'> {
  /** Off (SMART_ASSIST=off): no listeners, so no suggestions and no red-flag banner; the routes say so. */
  enabled?: boolean;
  dispositionLabel(code: string): string | undefined;
  openapi: OpenApiRegistry;
  /** Emits to the staff in the conversation's room and to the supervisors' room. */
  emit: { toConversationStaff(conversationId: string, update: AssistUpdate): void; toSupervisors(notice: AssistRedFlagNotice): void };
  /** The whole transcript, notes included (the wrap-up summary reads it). */
  transcript(conversationId: string): MessageView[];
  /** Whether this staff member takes part in the conversation now. */
  isStaffIn(conversationId: string, userId: string): boolean;
  /** An agent rated a suggestion (the insights event log counts smart-assist acceptance). */
  onRated?(conversationId: string, kind: string, rating: string, at: string): void;
  /** The read of the suggestions (derived from the patient's words) is a disclosure, once per staff member. */
  disclose(staff: { userId: string; role: string }, conversationId: string, origin: { ip: string | null; requestId: string | null }): Promise<void>;
}

export type AssistModule = DomainModule & { api: AssistService };

export function createAssistModule(deps: AssistModuleDeps): AssistModule {
  const service = new AssistService({
    ...deps,
    push: (update) => deps.emit.toConversationStaff(update.conversationId, update),
    notifySupervisors: (notice) => deps.emit.toSupervisors(notice),
  });

  const conversationOf = (req: Request, userId: string, role: string): string => {
    const id = conversationIdParam.safeParse(req.params.conversationId);
    if (!id.success || !deps.conversation(id.data)) throw notFound('Conversation');
    const supervisor = (SUPERVISOR_ROLES as readonly string[]).includes(role);
    if (!supervisor && !deps.isStaffIn(id.data, userId)) throw notFound('Conversation');
    return id.data;
  };

  return {
    name: 'assist',
    api: service,
    listeners: deps.enabled === false ? [] : [
      listen('conversation.message', 'assist: suggestions for a patient message', ({ conversationId, message }) => {
        if ((message.sender.kind !== 'patient' && message.sender.kind !== 'visitor') || message.kind !== 'text') return;
        service.onPatientText(conversationId, message.id, message.body);
      }),
      listen('conversation.queued', 'assist: suggestions from the hand-off', ({ conversation, packet }) => {
        // The packet's summary quotes the patient's last words; suggestions are ready when an agent accepts.
        const quoted = /"([^"]+)"\s*$/.exec(packet.summary)?.[1] ?? '';
        service.onPatientText(conversation.id, `handoff:${conversation.id}`, quoted || Object.values(packet.collectedAnswers).join('. '));
      }),
      listen('conversation.updated', 'assist: learn from a resolved conversation', ({ conversation }) => {
        if (conversation.state !== 'closed') return;
        service.closed(conversation.id);
        if (conversation.wrapup) service.resolvedConversation(resolvedOf(conversation, deps.dispositionLabel));
      }),
    ],
    routes: (api) => {
      const route = addGuardedRoute.bind(null, api, deps.openapi);
      const tags = ['assist', 'conversations'];
      route(
        {
          method: 'get',
          path: '/conversations/:conversationId/assist',
          summary: 'Smart assist: the latest suggestions (articles, similar resolved conversations, a script, replies, actions) and the red flag, if any',
          tags,
          access: roles(...READERS),
          responses: { 200: { description: '`{ update }` (null before the first patient message with staff)' }, 404: { description: 'Unknown conversation, or not in it' } },
        },
        async (req, res) => {
          const staff = requireStaff(req, READERS);
          const id = conversationOf(req, staff.userId, staff.role);
          const update = service.state(id);
          if (update) await deps.disclose({ userId: staff.userId, role: staff.role }, id, requestMeta(req));
          res.setHeader('Cache-Control', 'private, no-store');
          res.json({ update, enabled: deps.enabled !== false });
        },
      );
      route(
        {
          method: 'get',
          path: '/conversations/:conversationId/summary',
          summary: 'The extractive wrap-up summary (reason, what was done, follow-ups) from the transcript, for the agent to edit',
          tags,
          access: roles(...READERS),
          responses: { 200: { description: '`{ reason, done[], followUps[], text }`' }, 404: { description: 'Unknown conversation, or not in it' } },
        },
        async (req, res) => {
          const staff = requireStaff(req, READERS);
          const id = conversationOf(req, staff.userId, staff.role);
          await deps.disclose({ userId: staff.userId, role: staff.role }, id, requestMeta(req));
          const conversation = deps.conversation(id)!;
          res.setHeader('Cache-Control', 'private, no-store');
          res.json(summarize(deps.transcript(id), conversation.handoff, service.state(id)?.redFlag ?? null));
        },
      );
      route(
        {
          method: 'post',
          path: '/conversations/:conversationId/assist/ratings',
          summary: 'Rate a suggestion: helpful, not helpful, or used (the latest rating of each agent counts)',
          tags,
          access: roles(...READERS),
          body: assistRatingRequestSchema,
          responses: { 204: { description: 'Stored' }, 400: { description: 'A malformed body' }, 404: { description: 'Unknown conversation or suggestion' } },
        },
        (req, res) => {
          const staff = requireStaff(req, READERS);
          const id = conversationOf(req, staff.userId, staff.role);
          const body = parseInput(assistRatingRequestSchema, req.body);
          const suggestion = service.state(id)?.suggestions.find((s) => s.id === body.suggestionId);
          if (!suggestion) throw notFoundMessage('No such suggestion in this conversation.');
          if (suggestion.kind !== body.kind) throw badRequest(`Suggestion ${body.suggestionId} is of kind ${suggestion.kind}.`);
          service.rate(id, staff.userId, body);
          deps.onRated?.(id, body.kind, body.rating, new Date().toISOString());
          res.status(204).end();
        },
      );
      route(
        {
          method: 'get',
          path: '/assist/report',
          summary: 'Smart-assist acceptance over a time range: suggestions shown and rated per kind, and red flags raised (default the last 30 days)',
          tags: ['assist'],
          access: roles(...SUPERVISOR_ROLES),
          query: assistReportQuerySchema,
          responses: { 200: { description: '`{ from, to, rows, redFlags }`' }, 400: { description: 'A bad date, or from after to' } },
        },
        (req, res) => {
          requireStaff(req, SUPERVISOR_ROLES);
          const query = parseInput(assistReportQuerySchema, req.query, 'query');
          const to = query.to ? new Date(query.to) : new Date();
          const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
          if (from.getTime() > to.getTime()) throw badRequest('`from` must not be after `to`.');
          res.json(service.report(from.toISOString(), to.toISOString()));
        },
      );
    },
    start: () => service.start(),
    close: () => service.idle(),
  };
}
