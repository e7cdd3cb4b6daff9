/**
 * The attachments domain's public door: files into and out of a chat (uploads, downloads,
 * transcripts) under `/api/conversations/:id/…`, mounted before the JSON body parser and the
 * access-token middleware (uploads are raw bodies; chat visitors hold visitor tokens).
 */
import type { DomainModule } from '../platform/module.js';
import { createConversationFileRouter, type FileRouteDeps } from './routes.js';

export { AttachmentService } from './service.js';

export type AttachmentsModule = DomainModule;

export function createAttachmentsModule(deps: FileRouteDeps): AttachmentsModule {
  return {
    name: 'attachments',
    mounts: [{ phase: 'pre-body', mount: (app) => app.use('/api', createConversationFileRouter(deps)) }],
  };
}
