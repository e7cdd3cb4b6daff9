/**
 * Files into and out of a chat, under /api/conversations/:conversationId:
 *
 * - `POST …/attachments?clientMessageId=&fileName=` — the raw file as the body with its Content-Type
 * - `GET  …/attachments/:attachmentId` — the file, as a download that browsers never render inline
 * - `GET  …/transcript?format=json|text` — the participant's view of the whole conversation
 *
 * Chat visitors hold a visitor token, not an access token, so this router is mounted before the
 * app's access-token middleware and authenticates either kind itself (`participantAuth`). Only the
 * upload route reads a raw body, limited to MAX_ATTACHMENT_BYTES.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import {
  MAX_ATTACHMENT_BYTES,
  attachmentUploadQuerySchema,
  messageSchema,
  transcriptQuerySchema,
  type AttachmentContentType,
} from '../contracts/conversations.js';
import type SQLite from 'better-sqlite3';
import type { ConversationsApi } from '../conversations/index.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Actor, ActorResolver } from '../platform/auth/actor.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { requestMeta } from '../platform/http/request-meta.js';
import { badRequest, unauthorized, unsupportedMediaType } from '../platform/errors.js';
import { parseInput } from '../platform/http/validation.js';
import { acceptedContentType, contentDisposition } from './files.js';
import { AttachmentService, tooLarge } from './service.js';
import { readTranscript, transcriptFileName, transcriptText } from './transcript.js';

const conversationIdSchema = z.string().min(1).max(100);
const attachmentIdSchema = z.string().min(1).max(100);

const facts = requestMeta;

export interface FileRouteDeps {
  sqlite: SQLite.Database;
  conversations: ConversationsApi['core'];
  audit: AuditLog;
  openapi: OpenApiRegistry;
  actors: ActorResolver;
}

interface Locals {
  actor: Actor;
  contentType: AttachmentContentType;
  query: z.infer<typeof attachmentUploadQuerySchema>;
  conversationId: string;
}
const locals = (res: Response) => res.locals as Locals;

/** A signed-in patient's or staff member's access token, or a chat visitor's token, as an `Actor`. */
export function participantAuth(ctx: Pick<FileRouteDeps, 'actors'>): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(req.headers.authorization ?? '');
    if (!match) throw unauthorized('Send "Authorization: Bearer <token>" with your access token or chat visitor token.');
    const token = match[1]!;
    const actor = await ctx.actors.actorForToken(token);
    if (!actor) throw unauthorized('The token is invalid or has expired: sign in (or start the chat) again.');
    locals(res).actor = actor;
    next();
  };
}

export function createConversationFileRouter(ctx: FileRouteDeps): Router {
  const router = express.Router();
  const attachments = new AttachmentService({ sqlite: ctx.sqlite, conversations: ctx.conversations, audit: ctx.audit });
  const auth = participantAuth(ctx);
  const rawBody = express.raw({ type: () => true, limit: MAX_ATTACHMENT_BYTES, inflate: false });
  const tags = ['conversations'];
  const conversationId = (req: Request) => parseInput(conversationIdSchema, req.params.conversationId, 'conversationId');

  ctx.openapi.add({
    method: 'post',
    path: '/api/conversations/:conversationId/attachments',
    summary: `Upload a file into the chat (raw body, PNG/JPEG/GIF/WEBP/PDF, at most ${MAX_ATTACHMENT_BYTES} bytes) as an attachment message (participants; visitor tokens accepted)`,
    tags,
    auth: true,
    query: attachmentUploadQuerySchema,
    responses: {
      200: { description: 'A resend: the message stored before', schema: z.object({ message: messageSchema }) },
      201: { description: 'The stored attachment message', schema: z.object({ message: messageSchema }) },
      403: { description: 'Not a participant' },
      404: { description: 'Unknown conversation' },
      409: { description: 'The conversation is closed or in wrap-up' },
      413: { description: 'The file is too large' },
      415: { description: 'Type not allowed, or the content does not match it' },
    },
  });
  const checkUpload: RequestHandler = (req, res, next) => {
    const query = parseInput(attachmentUploadQuerySchema, req.query, 'query');
    const id = conversationId(req);
    const contentType = acceptedContentType(req.headers['content-type']);
    if (!contentType) {
      throw unsupportedMediaType('Send the file with its Content-Type: image/png, image/jpeg, image/gif, image/webp or application/pdf.');
    }
    // Refuse before reading up to 10 MiB that could not be stored anyway.
    attachments.checkCanUpload(locals(res).actor, id, query.clientMessageId);
    Object.assign(locals(res), { query, contentType, conversationId: id });
    next();
  };
  const readFile: RequestHandler = (req, res, next) => {
    rawBody(req, res, (err?: unknown) => {
      const type = (err as { type?: string } | undefined)?.type;
      if (type === 'entity.too.large') next(tooLarge());
      else if (type === 'encoding.unsupported') next(unsupportedMediaType('Send the file without Content-Encoding.'));
      else next(err);
    });
  };
  router.post('/conversations/:conversationId/attachments', auth, checkUpload, readFile, (req: Request, res: Response) => {
    const { actor, query, contentType, conversationId: id } = locals(res);
    if (!Buffer.isBuffer(req.body)) throw badRequest('Send the file as the request body.');
    const { message, duplicate } = attachments.upload(actor, { conversationId: id, clientMessageId: query.clientMessageId, fileName: query.fileName, contentType, data: req.body });
    res.status(duplicate ? 200 : 201).json({ message });
  });

  ctx.openapi.add({
    method: 'get',
    path: '/api/conversations/:conversationId/attachments/:attachmentId',
    summary: 'Download a file of the chat (participants; supervisors and admins; staff reads audited)',
    tags,
    auth: true,
    responses: { 200: { description: 'The file, as an attachment download' }, 403: { description: 'Not a participant' }, 404: { description: 'Unknown conversation or file' } },
  });
  router.get('/conversations/:conversationId/attachments/:attachmentId', auth, (req: Request, res: Response) => {
    const id = conversationId(req);
    const attachmentId = parseInput(attachmentIdSchema, req.params.attachmentId, 'attachmentId');
    const file = attachments.download(locals(res).actor, id, attachmentId, facts(req));
    res.setHeader('Content-Type', file.content_type);
    res.setHeader('Content-Length', String(file.size));
    res.setHeader('Content-Disposition', contentDisposition(file.file_name));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Even if a browser did render it, it would run in an opaque origin with no scripts.
    res.setHeader('Content-Security-Policy', 'sandbox');
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('ETag', `"${file.sha256}"`);
    res.end(file.data);
  });

  ctx.openapi.add({
    method: 'get',
    path: '/api/conversations/:conversationId/transcript',
    summary: 'The whole conversation as the participant sees it, as JSON or a text download (patients: no notes or whispers; staff reads audited)',
    tags,
    auth: true,
    query: transcriptQuerySchema,
    responses: { 200: { description: '`{ conversation, messages }`, or text/plain with format=text' }, 403: { description: 'Not a participant' }, 404: { description: 'Unknown conversation' } },
  });
  router.get('/conversations/:conversationId/transcript', auth, (req: Request, res: Response) => {
    const id = conversationId(req);
    const { format, tz } = parseInput(transcriptQuerySchema, req.query, 'query');
    const { actor } = locals(res);
    const transcript = readTranscript(ctx, actor, id, facts(req));
    res.setHeader('Cache-Control', 'private, no-store');
    if (format === 'json') {
      res.json(transcript);
      return;
    }
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${transcriptFileName(transcript.conversation)}"`);
    // Names as they were in the chat (those who left included), else the staff directory's.
    const joined = new Map(ctx.conversations.repo.participants(id).map((p) => [p.user_id, p.display_name]));
    res.send(transcriptText(transcript, actor.userId, { timeZone: tz ?? 'UTC', nameOf: (userId) => joined.get(userId) ?? ctx.conversations.displayNameOf(userId) }));
  });

  return router;
}
