/**
 * The preload script (bundled to dist/preload/index.cjs; runs sandboxed, with context isolation).
 * Exposes exactly the named bridge of the IPC contract as `window.carebridge`, nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld('carebridge', createBridge(ipcRenderer));
