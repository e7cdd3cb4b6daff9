/**
 * The one way the renderer reaches the desktop: `window.carebridge` from the preload in Electron,
 * the web implementation in a plain browser.
 */
import type { CarebridgeBridge, IpcResult } from '../../shared/ipc-contract.js';
import { createWebBridge } from './web-bridge.js';

declare global {
  interface Window {
    carebridge?: CarebridgeBridge;
  }
}

let bridge: CarebridgeBridge | undefined;

export function getBridge(): CarebridgeBridge {
  bridge ??= window.carebridge ?? createWebBridge(window);
  return bridge;
}

/** The value of a bridge call, or `fallback` when it failed (logged, never thrown at the UI). */
export async function valueOr<T>(call: Promise<IpcResult<T>>, fallback: T): Promise<T> {
  try {
    const result = await call;
    if (result.ok) return result.value;
    console.warn(`desktop bridge: ${result.error.code}: ${result.error.message}`);
  } catch (err) {
    console.warn('desktop bridge call failed', err);
  }
  return fallback;
}
