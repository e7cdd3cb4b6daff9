/**
 * Files over REST with the bearer token (a 401 refreshes the token once and retries): attachment
 * uploads, authorised downloads (images shown through object URLs, PDFs and transcripts saved).
 */
import type { Dispatch } from '@reduxjs/toolkit';
import { ATTACHMENT_CONTENT_TYPES, MAX_ATTACHMENT_BYTES } from '@carebridge/server/contracts';
import { refreshSession } from '../../api/refresh.js';
import type { SessionState } from '../../app/session/session-slice.js';

type GetState = () => { session: SessionState };

/** `path` starts with `/api/` (as attachment URLs from the server do). */
export async function authorizedFetch(dispatch: Dispatch, getState: GetState, path: string, init: RequestInit = {}): Promise<Response> {
  const attempt = () => {
    const { serverUrl, accessToken } = getState().session;
    const headers = new Headers(init.headers);
    if (accessToken) headers.set('authorization', `Bearer ${accessToken}`);
    return fetch(`${serverUrl}${path}`, { ...init, headers, credentials: 'omit' });
  };
  let res = await attempt();
  if (res.status === 401 && (await refreshSession(dispatch, getState))) res = await attempt();
  return res;
}

/** Checks a file before it is sent: the message for the user, or null. */
export function attachmentProblem(file: { name: string; type: string; size: number }): string | null {
  if (!(ATTACHMENT_CONTENT_TYPES as readonly string[]).includes(file.type)) {
    return `“${file.name}” cannot be attached: only images (PNG, JPEG, GIF, WebP) and PDF files can.`;
  }
  if (file.size > MAX_ATTACHMENT_BYTES) return `“${file.name}” is larger than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB.`;
  if (file.size === 0) return `“${file.name}” is empty.`;
  return null;
}

async function errorOf(res: Response, fallback: string): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: unknown } } | null;
  return typeof body?.error?.message === 'string' ? body.error.message : fallback;
}

/** Uploads a file into the conversation; resolves with an error sentence or null. */
export function uploadAttachment(conversationId: string, file: File) {
  return async (dispatch: Dispatch, getState: GetState): Promise<string | null> => {
    const problem = attachmentProblem(file);
    if (problem) return problem;
    const query = new URLSearchParams({ clientMessageId: crypto.randomUUID(), fileName: file.name.slice(0, 200) });
    try {
      const res = await authorizedFetch(dispatch, getState, `/api/conversations/${encodeURIComponent(conversationId)}/attachments?${query.toString()}`, {
        method: 'POST',
        headers: { 'content-type': file.type },
        body: file,
      });
      if (res.ok) return null;
      if (res.status === 413) return `“${file.name}” is too large to attach.`;
      if (res.status === 415) return `“${file.name}” cannot be attached: ${await errorOf(res, 'the file type is not allowed')}.`;
      return `Could not attach “${file.name}”: ${await errorOf(res, `HTTP ${res.status}`)}.`;
    } catch {
      return `Could not attach “${file.name}”: the server cannot be reached.`;
    }
  };
}

export function downloadBlob(path: string) {
  return async (dispatch: Dispatch, getState: GetState): Promise<{ ok: true; blob: Blob } | { ok: false; message: string }> => {
    try {
      const res = await authorizedFetch(dispatch, getState, path);
      if (!res.ok) return { ok: false, message: await errorOf(res, `HTTP ${res.status}`) };
      return { ok: true, blob: await res.blob() };
    } catch {
      return { ok: false, message: 'the server cannot be reached' };
    }
  };
}

/** Hands a blob to the browser as a download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
