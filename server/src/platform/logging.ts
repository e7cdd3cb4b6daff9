import fs from 'node:fs';
import net from 'node:net';
import tty from 'node:tty';
import { pino, type DestinationStream, type Logger } from 'pino';

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

/** How much unwritten log output a sink holds before it drops lines (a reader that stopped reading). */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Where log lines go. Writing never blocks the event loop, never occupies a libuv thread, and never
 * throws: a reader that stops reading makes the sink drop lines once `LOG_BUFFER_BYTES` wait, and a
 * reader that is gone (EPIPE, a hung-up terminal) makes it drop every later line. Either way the
 * server keeps answering and still stops on SIGTERM.
 */
export interface LogSink extends DestinationStream {
  /** Lines dropped so far because the reader was gone or too slow. */
  readonly dropped: number;
  /** Resolves once pending output is written, or after `timeoutMs`, whichever comes first. */
  flush(timeoutMs: number): Promise<void>;
}

/**
 * A sink for a file descriptor (stdout by default). Pipes, sockets and terminals are written through
 * a non-blocking libuv stream on the event loop: the synchronous writes Node uses for them otherwise
 * wait forever on a reader that stopped, and an asynchronous write parked in the thread pool keeps
 * `process.exit` from returning. Regular files and /dev/null cannot stall, so they are written
 * synchronously.
 */
export function createLogSink(fd = 1, maxBufferBytes = LOG_BUFFER_BYTES): LogSink {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.fstatSync(fd);
  } catch {
    stat = undefined;
  }
  if (stat && (stat.isFIFO() || stat.isSocket() || tty.isatty(fd))) return streamSink(fd, maxBufferBytes);
  return fileSink(fd, stat !== undefined);
}

function streamSink(fd: number, maxBufferBytes: number): LogSink {
  const socket = new net.Socket({ fd, readable: false, writable: true });
  let dropped = 0;
  let gone = false;
  socket.on('error', () => {
    gone = true;
  });
  // Nothing else keeps the process alive on account of its log output.
  socket.unref();
  return {
    get dropped() {
      return dropped;
    },
    write(line: string) {
      if (gone || socket.destroyed || socket.writableLength > maxBufferBytes) {
        dropped++;
        return;
      }
      socket.write(line);
    },
    flush(timeoutMs: number) {
      if (gone || socket.destroyed || socket.writableLength === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          socket.off('drain', done);
          socket.off('error', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        timer.unref();
        socket.once('drain', done);
        socket.once('error', done);
      });
    },
  };
}

function fileSink(fd: number, open: boolean): LogSink {
  let dropped = 0;
  let gone = !open;
  return {
    get dropped() {
      return dropped;
    },
    write(line: string) {
      if (gone) {
        dropped++;
        return;
      }
      try {
        fs.writeSync(fd, line);
      } catch {
        // A full disk or a closed descriptor loses log lines, never a request.
        gone = true;
        dropped++;
      }
    },
    flush: () => Promise.resolve(),
  };
}

let stdoutSink: LogSink | undefined;

/** The process's one sink for stdout, made on first use and shared by every logger. */
export function stdoutLogSink(): LogSink {
  stdoutSink ??= createLogSink(1);
  return stdoutSink;
}

/** The server's logger. Lines go to `sink`: stdout through `stdoutLogSink()` unless given. */
export function createLogger(level: string = 'info', sink?: DestinationStream): Logger {
  const options = { level, redact, base: { service: 'carebridge' } };
  // A silent logger writes nothing, so it leaves stdout as the process found it.
  if (level === 'silent' && !sink) return pino(options, { write: () => undefined });
  return pino(options, sink ?? stdoutLogSink());
}
