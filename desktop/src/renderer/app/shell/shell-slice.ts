/** Shell UI state: open dialogs, the status line, the unread count shown on the badge. */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export type ShellDialog = 'none' | 'palette' | 'shortcuts';

export interface ShellState {
  dialog: ShellDialog;
  /** A short message for the status line (announced politely to screen readers). */
  status: string | null;
  unread: number;
}

export const emptyShellState = (): ShellState => ({ dialog: 'none', status: null, unread: 0 });

export const shellSlice = createSlice({
  name: 'shell',
  initialState: emptyShellState,
  reducers: {
    dialogOpened(state, action: PayloadAction<ShellDialog>) {
      state.dialog = action.payload;
    },
    dialogClosed(state) {
      state.dialog = 'none';
    },
    statusShown(state, action: PayloadAction<string | null>) {
      state.status = action.payload;
    },
    unreadChanged(state, action: PayloadAction<number>) {
      state.unread = Math.max(0, Math.min(9999, Math.trunc(action.payload)));
    },
  },
});

export const { dialogOpened, dialogClosed, statusShown, unreadChanged } = shellSlice.actions;
export const selectShell = (state: { shell: ShellState }) => state.shell;
