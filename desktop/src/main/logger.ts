/**
 * The main process's small logger: one JSON line per event to a file in userData and to the
 * console. Runtime: main (node).
 *
 * Callers pass fields, never payloads; `redact` still masks anything that looks like a bearer
 * token, a JWT or a password field, so a careless call cannot write a secret to disk.
 */
import fs from 'node:fs';
import path from 'node:path';

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi;
const SECRET_KEY = /token|password|secret|totp|authorization|cookie/i;

export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_KEY.test(key)) out[key] = '[redacted]';
    else if (typeof value === 'string') out[key] = value.replace(JWT, '[jwt]').replace(BEARER, 'Bearer [redacted]').slice(0, 500);
    else out[key] = value;
  }
  return out;
}

export interface LogSink {
  write(line: string): void;
}

/** A logger writing JSON lines to the given sinks (file, console, or an array in tests). */
export function createLogger(sinks: LogSink[], now: () => Date = () => new Date()): Logger {
  const log = (level: LogLevel, message: string, fields: LogFields = {}) => {
    const line = JSON.stringify({ time: now().toISOString(), level, message: message.replace(JWT, '[jwt]'), ...redact(fields) });
    for (const sink of sinks) {
      try {
        sink.write(line);
      } catch {
        // A full disk must not take the app down with it.
      }
    }
  };
  return {
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

/** Appends to `<dir>/main.log`, creating the folder; rotates once at 5 MB to `main.log.1`. */
export function fileSink(dir: string, maxBytes = 5 * 1024 * 1024): LogSink {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'main.log');
  return {
    write(line) {
      try {
        if (fs.statSync(file).size > maxBytes) fs.renameSync(file, `${file}.1`);
      } catch {
        // no file yet
      }
      fs.appendFileSync(file, `${line}\n`, { mode: 0o600 });
    },
  };
}

export const consoleSink: LogSink = {
  write(line) {
    console.error(line);
  },
};
