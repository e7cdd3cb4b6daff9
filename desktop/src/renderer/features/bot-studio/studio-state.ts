/**
 * What bot studio keeps between its pages: the unsaved edits of each scenario (in memory, so
 * switching to another workspace and back does not lose them; a reload or sign-out does), and the
 * route of a scenario's editor.
 */
export interface UnsavedScenario {
  name: string;
  trigger: string;
  description: string;
  text: string;
  /** The draft version the edits started from (a save by someone else since then is a conflict). */
  baseVersion: number;
}

const unsaved = new Map<string, UnsavedScenario>();

export function unsavedOf(id: string): UnsavedScenario | undefined {
  return unsaved.get(id);
}

export function keepUnsaved(id: string, edits: UnsavedScenario): void {
  unsaved.set(id, edits);
}

export function forgetUnsaved(id: string): void {
  unsaved.delete(id);
}

export function scenarioRoute(id: string): string {
  return `bot-studio/scenarios/${encodeURIComponent(id)}`;
}
