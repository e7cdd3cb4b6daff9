/**
 * The structure stays as docs/architecture.md describes it:
 * - no import cycle in the server or the desktop app, type imports included (madge);
 * - the server's module boundaries bite: outside a domain only its index.ts, platform/ and contracts/
 *   import no domain (eslint/module-boundaries.js, through the repository's own ESLint config).
 */
import { ESLint } from 'eslint';
import madge from 'madge';
import { describe, expect, it } from 'vitest';

describe('import cycles', () => {
  it.each(['server/src', 'desktop/src', 'server/portal/src'])('there are none in %s, type imports included', async (dir) => {
    const graph = await madge(dir, {
      fileExtensions: ['ts', 'tsx'],
      detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
    });
    expect(Object.keys(graph.obj()).length).toBeGreaterThan(20);
    expect(graph.circular()).toEqual([]);
  }, 60_000);
});

describe('server module boundaries', () => {
  const eslint = new ESLint();
  async function problems(file: string, specifier: string): Promise<string[]> {
    const [result] = await eslint.lintText(`import * as m from '${specifier}';\nexport default m;\n`, { filePath: file });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'carebridge/module-boundaries').map((m) => m.message);
  }

  const cases: Array<[file: string, specifier: string, allowed: boolean]> = [
    // Another domain only through its index.ts.
    ['server/src/surveys/service.ts', '../conversations/index.js', true],
    ['server/src/surveys/service.ts', '../conversations/core.js', false],
    ['server/src/surveys/service.ts', '../conversations/repository.js', false],
    ['server/src/fhir/operations/everything.ts', '../../accounts/service.js', false],
    ['server/src/fhir/operations/everything.ts', '../../accounts/index.js', true],
    // Its own files, platform/, contracts/ and the test harness are open.
    ['server/src/surveys/service.ts', './repository.js', true],
    ['server/src/surveys/service.ts', '../platform/events.js', true],
    ['server/src/surveys/service.ts', '../contracts/surveys.js', true],
    ['server/src/surveys/surveys.test.ts', '../testing/server.js', true],
    // The composition root and the test harness are outside every domain too.
    ['server/src/composition.ts', './conversations/index.js', true],
    ['server/src/composition.ts', './conversations/core.js', false],
    ['server/src/testing/accounts.ts', '../accounts/repository.js', false],
    ['scripts/bench/routing.ts', '../../server/src/routing/engine.js', false],
    ['scripts/bench/routing.ts', '../../server/src/routing/index.js', true],
    // platform/ and contracts/ import no domain, not even its door.
    ['server/src/platform/realtime/index.ts', '../../conversations/index.js', false],
    ['server/src/platform/events.ts', './jobs/index.js', true],
    ['server/src/platform/module.ts', '../accounts/index.js', false],
  ];

  it.each(cases)('%s importing %s: allowed %s', async (file, specifier, allowed) => {
    const found = await problems(file, specifier);
    if (allowed) expect(found).toEqual([]);
    else expect(found).toHaveLength(1);
  });
});
