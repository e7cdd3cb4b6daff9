/**
 * The renderer's import boundaries (eslint.config.js) bite: each case lints one import line as if it
 * were written in the given file, through the repository's own ESLint config.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();
const R = 'desktop/src/renderer';

async function problems(file: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import * as m from '${specifier}';\nexport default m;\n`, { filePath: `${R}/${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: Array<[file: string, specifier: string, allowed: boolean]> = [
  // Outside features: only a feature's index.ts.
  ['app/shell/Shell.tsx', '../../features/conversations/index.js', true],
  ['app/shell/Shell.tsx', '../../features/conversations/inbox-actions.js', false],
  ['app/store.ts', '../features/presence/presence-slice.js', false],
  ['main.tsx', './features/settings/SettingsPage.js', false],
  ['app/hooks.ts', './root-state.js', true],
  // A feature: its own files, app/, api/, common/, and other features' index.ts only.
  ['features/supervisor/SupervisorPage.tsx', './supervisor-api.js', true],
  ['features/supervisor/SupervisorPage.tsx', '../../app/hooks.js', true],
  ['features/supervisor/SupervisorPage.tsx', '../../common/Modal.js', true],
  ['features/supervisor/SupervisorPage.tsx', '../../../shared/ipc-contract.js', true],
  ['features/supervisor/SupervisorPage.tsx', '../conversations/index.js', true],
  ['features/supervisor/SupervisorPage.tsx', '../conversations/inbox-live.js', false],
  ['features/supervisor/SupervisorPage.tsx', '../../features/conversations/inbox-live.js', false],
  ['features/conversations/context/DetailsPanel.tsx', '../inbox-slice.js', true],
  ['features/conversations/context/DetailsPanel.tsx', '../../supervisor/supervisor-api.js', false],
  ['features/conversations/context/DetailsPanel.tsx', '../../supervisor/index.js', true],
  ['features/conversations/context/DetailsPanel.tsx', '../../../app/hooks.js', true],
  // common/ and api/ import no feature, not even its door.
  ['common/Modal.tsx', '../features/command-palette/index.js', false],
  ['api/socket.ts', '../features/presence/index.js', false],
  ['common/transcript/Transcript.tsx', '../../app/hooks.js', true],
  // Nothing below the composition root imports it (that would be an import cycle).
  ['features/presence/choose-presence.ts', '../../app/store.js', false],
  ['features/conversations/ConversationsPage.tsx', '../../app/context-panels.js', false],
  ['common/Modal.tsx', '../app/workspaces.js', false],
  // The runtime rules still hold everywhere in the renderer.
  ['features/conversations/inbox-live.ts', 'node:fs', false],
  ['app/App.tsx', 'electron', false],
];

describe('renderer import rules', () => {
  it.each(cases)('%s importing %s: allowed %s', async (file, specifier, allowed) => {
    const found = await problems(file, specifier);
    if (allowed) expect(found).toEqual([]);
    else expect(found).toHaveLength(1);
  });
});
