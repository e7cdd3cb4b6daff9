/**
 * IPC sender validation. Pure: works on the few fields of Electron's WebFrameMain it needs.
 *
 * A message is trusted only when it comes from the main frame of our window and that frame shows
 * our bundled renderer (`app://desk`): not a subframe, not another window, not a page the window
 * was somehow navigated to.
 */
import type { IpcError } from '../../shared/ipc-contract.js';
import { APP_ORIGIN, originOf } from '../origins.js';

export interface FrameLike {
  readonly url: string;
  readonly processId: number;
  readonly routingId: number;
  readonly parent: unknown;
}

export function checkSenderFrame(frame: FrameLike | null | undefined, mainFrame: FrameLike | null | undefined): IpcError | null {
  if (!frame || !mainFrame) return { code: 'forbidden_sender', message: 'The sender frame is gone.' };
  if (frame.parent !== null) return { code: 'forbidden_sender', message: 'Subframes may not use the desktop bridge.' };
  if (frame.processId !== mainFrame.processId || frame.routingId !== mainFrame.routingId) {
    return { code: 'forbidden_sender', message: 'Only the main window may use the desktop bridge.' };
  }
  if (originOf(frame.url) !== APP_ORIGIN) return { code: 'forbidden_sender', message: 'Only the bundled Carebridge interface may use the desktop bridge.' };
  return null;
}
