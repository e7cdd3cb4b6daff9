import type { Request } from 'express';

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip: string | null;
  requestId: string | null;
}

export function requestMeta(req: Request): RequestMeta {
  return { ip: req.ip ?? req.socket.remoteAddress ?? null, requestId: req.id === undefined ? null : String(req.id) };
}
