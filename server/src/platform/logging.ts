import { pino, type Logger } from 'pino';

export type { Logger };

/** Redacts secrets and credentials wherever they appear in a log line. */
const redact = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'res.headers["set-cookie"]',
    '*.password',
    '*.totp',
    '*.refreshToken',
    '*.accessToken',
    '*.secret',
  ],
  censor: '[redacted]',
};

export function createLogger(level: string = 'info'): Logger {
  return pino({ level, redact, base: { service: 'carebridge' } });
}
