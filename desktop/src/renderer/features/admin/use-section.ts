/**
 * One clinic-settings section being edited: the version read, a draft the form changes, save with
 * that version (the server answers 409 when someone saved first), and what to tell the user.
 */
import { useEffect, useState } from 'react';
import type { ClinicSettingSection, ClinicSettingValue, ClinicSettingView } from '@carebridge/server/contracts';
import { saveProblemOf, useGetClinicSettingsQuery, useSaveClinicSettingMutation, type SaveProblem } from './admin-api.js';

export interface SectionEditor<S extends ClinicSettingSection> {
  view: ClinicSettingView<S> | undefined;
  draft: ClinicSettingValue<S> | undefined;
  setDraft(next: ClinicSettingValue<S>): void;
  dirty: boolean;
  saving: boolean;
  loading: boolean;
  loadError: string | null;
  problem: SaveProblem | null;
  /** "Saved …" after a save, for the live region. */
  notice: string | null;
  save(value?: ClinicSettingValue<S>): Promise<boolean>;
  /** Drops the draft and reads what is stored now (after a 409). */
  reload(): void;
}

export function useSection<S extends ClinicSettingSection>(section: S): SectionEditor<S> {
  const { data, error, isLoading, refetch } = useGetClinicSettingsQuery();
  const [saveSetting, { isLoading: saving }] = useSaveClinicSettingMutation();
  const view = data?.[section] as ClinicSettingView<S> | undefined;
  const [draft, setDraftState] = useState<ClinicSettingValue<S> | undefined>(undefined);
  const [base, setBase] = useState<number | null>(null);
  const [problem, setProblem] = useState<SaveProblem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  // A fresh read (first load, after a save or a reload) replaces the draft only when none is being edited.
  useEffect(() => {
    if (view && (draft === undefined || base === null)) {
      setDraftState(structuredClone(view.value));
      setBase(view.version);
    }
  }, [view, draft, base]);

  const dirty = view !== undefined && draft !== undefined && JSON.stringify(draft) !== JSON.stringify(view.value);
  return {
    view,
    draft,
    setDraft: (next) => {
      setDraftState(next);
      setNotice(null);
    },
    dirty,
    saving,
    loading: isLoading,
    loadError: error ? (saveProblemOf(error)?.message ?? 'The settings could not be loaded.') : null,
    problem,
    notice,
    save: async (value) => {
      const toSave = value ?? draft;
      if (toSave === undefined || base === null) return false;
      setProblem(null);
      setNotice(null);
      const result = await saveSetting({ section, version: base, value: toSave });
      if ('error' in result) {
        setProblem(saveProblemOf(result.error));
        return false;
      }
      setBase(result.data.version);
      setDraftState(structuredClone(result.data.value) as ClinicSettingValue<S>);
      setNotice(`Saved: in force now (version ${result.data.version}).`);
      return true;
    },
    reload: () => {
      setProblem(null);
      setNotice(null);
      setBase(null);
      setDraftState(undefined);
      void refetch();
    },
  };
}
