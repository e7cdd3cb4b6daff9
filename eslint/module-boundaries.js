// A lint rule for the server's module boundaries (docs/architecture.md):
// - outside a domain folder (server/src/<domain>/), only its index.ts may be imported;
// - platform/ imports no domain (only platform/ and contracts/);
// Shared folders (platform, contracts, testing) are not domains: anyone may import them, except
// that platform and contracts import no domain. Resolves each relative import against the file.
import path from 'node:path';

const SHARED = new Set(['platform', 'contracts', 'testing']);

/** `{ area, rest }` of a file under the source root, or undefined outside it. */
function locate(root, file) {
  const relative = path.relative(root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const [first, ...rest] = relative.split(path.sep);
  return rest.length === 0 ? { area: null, rest: first } : { area: first, rest: rest.join('/') };
}

const isIndex = (rest) => /^index\.(js|ts|tsx)$/.test(rest);

export const moduleBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Outside a domain only its index.ts may be imported; platform imports no domain.' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, required: ['root'], additionalProperties: false }],
    messages: {
      deepImport: 'Import {{domain}} only through its index.ts ({{domain}}/index.js), not {{domain}}/{{rest}}.',
      platformImportsDomain: 'platform/ imports no domain: {{domain}} must be reached through what the composition root hands in.',
    },
  },
  create(context) {
    const root = path.resolve(context.cwd, context.options[0].root);
    // Files outside the source root (scripts, e2e tests) are outside every domain.
    const from = locate(root, context.filename) ?? { area: null, rest: '' };
    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = locate(root, path.resolve(path.dirname(context.filename), source));
      if (!target || target.area === null || target.area === from.area) return;
      if (SHARED.has(target.area)) return;
      // The target is another domain.
      if (from.area === 'platform' || from.area === 'contracts') {
        context.report({ node, messageId: 'platformImportsDomain', data: { domain: target.area } });
        return;
      }
      if (!isIndex(target.rest)) context.report({ node, messageId: 'deepImport', data: { domain: target.area, rest: target.rest } });
    }
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { 'module-boundaries': moduleBoundaries } };
