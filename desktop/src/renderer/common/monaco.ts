/**
 * The parts of Monaco the desk's code editor uses, bundled by Vite (no CDN, no AMD loader): the
 * editor API, the contributions an author needs (find, hover on markers, F8 to the next problem,
 * folding, comments, Ctrl+M to let Tab move focus…), the YAML and Markdown grammars and JSON's
 * language service (`jsonDefaults`: schema validation and completion). Only
 * `CodeEditor.tsx` imports it, so all of it stays in the editor's lazy chunk.
 */
import 'monaco-editor/editor/browser/coreCommands.js';
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js';
import 'monaco-editor/editor/contrib/clipboard/browser/clipboard.js';
import 'monaco-editor/editor/contrib/comment/browser/comment.js';
import 'monaco-editor/editor/contrib/contextmenu/browser/contextmenu.js';
import 'monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo.js';
import 'monaco-editor/editor/contrib/find/browser/findController.js';
import 'monaco-editor/editor/contrib/folding/browser/folding.js';
import 'monaco-editor/editor/contrib/gotoError/browser/gotoError.js';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor/editor/contrib/indentation/browser/indentation.js';
import 'monaco-editor/editor/contrib/linesOperations/browser/linesOperations.js';
import 'monaco-editor/editor/contrib/multicursor/browser/multicursor.js';
import 'monaco-editor/editor/contrib/readOnlyMessage/browser/contribution.js';
import 'monaco-editor/editor/contrib/smartSelect/browser/smartSelect.js';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/editor/contrib/toggleTabFocusMode/browser/toggleTabFocusMode.js';
import 'monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter.js';
import 'monaco-editor/editor/contrib/wordOperations/browser/wordOperations.js';
import 'monaco-editor/languages/definitions/yaml/register.js';
import 'monaco-editor/languages/definitions/markdown/register.js';
// JSON with its language service (schema validation, completion, hover). Its language features come
// with Monaco's worker glue, which registers editor contributions and services of its own: loaded
// here, before the first editor starts its services, or those contributions fail ("UNKNOWN service").
import 'monaco-editor/language/json/monaco.contribution.js';
import 'monaco-editor/internal/common/workers.js';

export * as monaco from 'monaco-editor/editor/editor.api.js';
export { jsonDefaults } from 'monaco-editor/language/json/monaco.contribution.js';
