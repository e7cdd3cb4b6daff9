/**
 * Pure checks on uploaded files: the type their first bytes prove, a file name safe to store and
 * show, and the Content-Disposition header to send it back with.
 */
import { ATTACHMENT_CONTENT_TYPES, type AttachmentContentType } from '../contracts/conversations.js';

const startsWith = (data: Uint8Array, bytes: readonly number[], offset = 0) =>
  data.length >= offset + bytes.length && bytes.every((b, i) => data[offset + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** Signatures of the accepted types (the WEBP one is RIFF....WEBP). */
const SIGNATURES: Record<AttachmentContentType, (data: Uint8Array) => boolean> = {
  'image/png': (d) => startsWith(d, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': (d) => startsWith(d, [0xff, 0xd8, 0xff]),
  'image/gif': (d) => startsWith(d, ascii('GIF87a')) || startsWith(d, ascii('GIF89a')),
  'image/webp': (d) => startsWith(d, ascii('RIFF')) && startsWith(d, ascii('WEBP'), 8),
  'application/pdf': (d) => startsWith(d, ascii('%PDF-')),
};

/** The declared media type without parameters, lower-cased, if it is one we accept. */
export function acceptedContentType(header: string | undefined): AttachmentContentType | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return (ATTACHMENT_CONTENT_TYPES as readonly string[]).includes(type ?? '') ? (type as AttachmentContentType) : undefined;
}

/** True when the file's first bytes are those of `type`. */
export function contentMatches(type: AttachmentContentType, data: Uint8Array): boolean {
  return SIGNATURES[type](data);
}

// Control characters (C0, DEL, C1), zero-width and bidirectional formatting characters: they can hide
// or reorder what a reader sees (e.g. "invoice\u202Efdp.exe").
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * The last path segment of a client's file name, without control or formatting characters (line
 * breaks and tabs become spaces), runs of white space collapsed, leading dots removed, at most 200
 * characters; empty when nothing usable is left.
 */
export function sanitizeFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/[\t\n\v\f\r]/g, ' ')
    .replace(UNSAFE_CHARACTERS, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  return [...cleaned].slice(0, 200).join('');
}

/** `attachment` with an ASCII fallback name and the exact name as RFC 5987 `filename*`. */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
