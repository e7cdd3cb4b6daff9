import { useEffect, useSyncExternalStore } from 'react';
import type { Theme } from '../../../shared/ipc-contract.js';
import { getBridge } from '../../common/bridge.js';
import type { AppDispatch } from '../root-state.js';
import { settingsLoaded } from './settings-slice.js';

const query = () => window.matchMedia('(prefers-color-scheme: dark)');

export function resolveTheme(theme: Theme, systemDark: boolean): 'light' | 'dark' {
  return theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
}

export function useSystemDark(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const mq = query();
      mq.addEventListener('change', onChange);
      return () => mq.removeEventListener('change', onChange);
    },
    () => query().matches,
  );
}

/** Puts the resolved theme on <html data-theme>, where the CSS variables pick it up. */
export function useApplyTheme(theme: Theme): void {
  const systemDark = useSystemDark();
  const resolved = resolveTheme(theme, systemDark);
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
    document.documentElement.style.colorScheme = resolved;
  }, [resolved]);
}

export function toggleTheme(current: Theme) {
  return async (dispatch: AppDispatch) => {
    const next = resolveTheme(current, query().matches) === 'dark' ? 'light' : 'dark';
    const result = await getBridge().settings.update({ theme: next });
    if (result.ok) dispatch(settingsLoaded(result.value));
  };
}
