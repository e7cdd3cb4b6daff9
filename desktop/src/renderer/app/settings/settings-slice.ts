/** Per-user desktop settings, loaded from and saved through the bridge (lowdb or localStorage). */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import { defaultSettings, type Settings } from '../../../shared/ipc-contract.js';

export interface SettingsState {
  loaded: boolean;
  values: Settings;
}

export const emptySettingsState = (): SettingsState => ({ loaded: false, values: defaultSettings });

export const settingsSlice = createSlice({
  name: 'settings',
  initialState: emptySettingsState,
  reducers: {
    settingsLoaded(state, action: PayloadAction<Settings>) {
      state.loaded = true;
      state.values = action.payload;
    },
  },
});

export const { settingsLoaded } = settingsSlice.actions;
export const selectSettings = (state: { settings: SettingsState }) => state.settings.values;
