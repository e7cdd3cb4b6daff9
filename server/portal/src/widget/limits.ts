/**
 * Upload and message limits, checked in the browser before anything is sent. Copies of the
 * contract's constants (contracts/conversations.ts), because importing that module would bundle zod
 * into the widget; limits.test.ts fails if the two ever differ.
 */
export const ATTACHMENT_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'] as const;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_MESSAGE_CHARS = 4000;

export type AttachmentProblem = 'too-large' | 'wrong-type' | null;

export function attachmentProblem(file: { size: number; type: string }): AttachmentProblem {
  if (!(ATTACHMENT_CONTENT_TYPES as readonly string[]).includes(file.type)) return 'wrong-type';
  if (file.size > MAX_ATTACHMENT_BYTES) return 'too-large';
  return null;
}

/** Minutes to show for an estimated wait in milliseconds (at least 1). */
export function waitMinutes(estimatedWaitMs: number): number {
  return Math.max(1, Math.round(estimatedWaitMs / 60_000));
}
