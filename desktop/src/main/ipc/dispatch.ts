/**
 * The one place IPC requests enter the main process. Runtime: main (node), no Electron import.
 *
 * For every channel of the contract: check the sender frame, parse the payload with the channel's
 * zod schema, call the handler, and answer `{ ok: true, value }` or `{ ok: false, error }`. Nothing
 * throws across IPC; every rejection is logged with the channel and the reason, never the payload.
 */
import {
  invokeChannels,
  type InvokeChannel,
  type InvokePayload,
  type InvokeResults,
  type IpcError,
  type IpcResult,
} from '../../shared/ipc-contract.js';
import type { Logger } from '../logger.js';
import { checkSenderFrame, type FrameLike } from '../security/sender.js';

export type IpcHandlers = {
  [C in InvokeChannel]: (payload: InvokePayload<C>) => Promise<InvokeResults[C]> | InvokeResults[C];
};

/** Thrown by a handler to answer with a specific error code instead of `internal`. */
export class IpcFailure extends Error {
  override name = 'IpcFailure';
  constructor(
    readonly code: IpcError['code'],
    message: string,
  ) {
    super(message);
  }
}

export interface IpcEventLike {
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<IpcResult<unknown>>): void;
}

export interface DispatcherDeps {
  handlers: IpcHandlers;
  /** The main frame of our window right now (null before it exists or after it closed). */
  mainFrame: () => FrameLike | null;
  logger: Logger;
}

export type IpcDispatcher = (channel: string, event: IpcEventLike, args: readonly unknown[]) => Promise<IpcResult<unknown>>;

function isInvokeChannel(channel: string): channel is InvokeChannel {
  return Object.hasOwn(invokeChannels, channel);
}

export function createIpcDispatcher({ handlers, mainFrame, logger }: DispatcherDeps): IpcDispatcher {
  const reject = (channel: string, error: IpcError): IpcResult<never> => {
    logger.warn('ipc request rejected', { channel: channel.slice(0, 60), code: error.code, reason: error.message });
    return { ok: false, error };
  };

  return async (channel, event, args) => {
    if (!isInvokeChannel(channel)) return reject(channel, { code: 'not_allowed', message: 'Unknown channel.' });
    const senderError = checkSenderFrame(event.senderFrame, mainFrame());
    if (senderError) return reject(channel, senderError);
    if (args.length > 1) return reject(channel, { code: 'bad_payload', message: 'Expected at most one argument.' });

    const parsed = invokeChannels[channel].safeParse(args[0]);
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.code}`).join(', ');
      return reject(channel, { code: 'bad_payload', message: `Invalid payload (${where}).`.slice(0, 300) });
    }

    try {
      const handler = handlers[channel] as (payload: unknown) => unknown;
      const value = await handler(parsed.data);
      return { ok: true, value };
    } catch (err) {
      if (err instanceof IpcFailure) return reject(channel, { code: err.code, message: err.message });
      logger.error('ipc handler failed', { channel, error: err instanceof Error ? err.name : 'non-error thrown' });
      return { ok: false, error: { code: 'internal', message: 'Something went wrong in the desktop app; details are in its log.' } };
    }
  };
}

/** Registers one `ipcMain.handle` per contract channel, all going through the dispatcher. */
export function registerIpcHandlers(ipcMain: IpcMainLike, dispatch: IpcDispatcher): InvokeChannel[] {
  const channels = Object.keys(invokeChannels) as InvokeChannel[];
  for (const channel of channels) ipcMain.handle(channel, (event, ...args) => dispatch(channel, event, args));
  return channels;
}
