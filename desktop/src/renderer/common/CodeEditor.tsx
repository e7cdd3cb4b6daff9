/**
 * A code editor (Monaco, bundled with the desk — never fetched from a CDN: the desk has no network
 * but its server) for YAML, Markdown and JSON, with markers at the lines a validator names, the
 * desk's light or dark theme, a read-only mode and an accessible name.
 *
 * Heavy (Monaco is megabytes): consumers load it lazily, so it stays out of the initial bundle:
 *
 *   const CodeEditor = lazy(() => import('../../common/CodeEditor.js').then((m) => ({ default: m.CodeEditor })));
 *
 * Keyboard: Tab indents inside the editor (Monaco keeps it). **Esc** leaves the editor: focus moves
 * to the next control after it (when no suggestion or find box is open, where Esc closes that
 * first). **Ctrl+M** (⌃⇧M on macOS) switches "Tab moves focus" on and off, as in VS Code.
 */
import { useEffect, useId, useRef, useSyncExternalStore, type JSX } from 'react';
import { Editor, loader, type OnMount } from '@monaco-editor/react';
import { jsonDefaults, monaco } from './monaco.js';

export interface CodeMarker {
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface CodeEditorProps {
  value: string;
  onChange(value: string): void;
  language: 'yaml' | 'markdown' | 'json';
  label: string;
  markers?: readonly CodeMarker[];
  readOnly?: boolean;
  height?: number | string;
  /**
   * JSON only: a JSON schema checked as you type (problems underlined, completion and hover from its
   * descriptions). `path` names the model (e.g. `bot-scenario.json`) the schema is for.
   */
  jsonSchema?: { path: string; schema: object };
  /** Moves the cursor to this line, scrolls it into view and focuses the editor (a new `nonce` each time). */
  reveal?: { line: number; nonce: number };
}

// The bundled Monaco, and its editor and JSON workers built by Vite from the package (same origin, allowed by the CSP).
self.MonacoEnvironment = {
  getWorker: (_moduleId: string, label: string) =>
    label === 'json'
      ? new Worker(new URL('monaco-editor/language/json/json.worker.js', import.meta.url), { type: 'module', name: 'json' })
      : new Worker(new URL('monaco-editor/editor/editor.worker.js', import.meta.url), { type: 'module', name: 'editor' }),
};
loader.config({ monaco });

/** The JSON schemas of the editors on screen, by model path (Monaco's JSON service has one list for every model). */
const jsonSchemas = new Map<string, object>();
function applyJsonSchemas(): void {
  jsonDefaults.setDiagnosticsOptions({
    validate: true,
    allowComments: false,
    enableSchemaRequest: false,
    schemaValidation: 'error',
    schemas: [...jsonSchemas].map(([path, schema]) => ({ uri: `inmemory://carebridge/schemas/${path}`, fileMatch: [path, `**/${path}`], schema })),
  });
}

const MARKER_OWNER = 'carebridge';
type Model = NonNullable<ReturnType<Parameters<OnMount>[0]['getModel']>>;
type MarkerData = Parameters<typeof monaco.editor.setModelMarkers>[2][number];
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function subscribeTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}
const currentTheme = () => (document.documentElement.dataset.theme === 'dark' ? 'vs-dark' : 'vs');

export function CodeEditor({ value, onChange, language, label, markers = [], readOnly = false, height = 400, jsonSchema, reveal }: CodeEditorProps): JSX.Element {
  const theme = useSyncExternalStore(subscribeTheme, currentTheme);
  const editorRef = useRef<Parameters<OnMount>[0] | null>(null);
  const containerRef = useRef<HTMLDivElement>(null);
  const hintId = useId();

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(model, MARKER_OWNER, markers.map((m) => toMarker(model, m)));
  }, [markers]);

  useEffect(() => {
    if (!jsonSchema) return;
    jsonSchemas.set(jsonSchema.path, jsonSchema.schema);
    applyJsonSchemas();
    return () => {
      jsonSchemas.delete(jsonSchema.path);
      applyJsonSchemas();
    };
  }, [jsonSchema]);

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor || !reveal) return;
    editor.revealLineInCenter(reveal.line);
    editor.setPosition({ lineNumber: reveal.line, column: editor.getModel()?.getLineFirstNonWhitespaceColumn(reveal.line) || 1 });
    editor.focus();
  }, [reveal]);

  const onMount: OnMount = (editor) => {
    editorRef.current = editor;
    const model = editor.getModel();
    if (model) monaco.editor.setModelMarkers(model, MARKER_OWNER, markers.map((m) => toMarker(model, m)));
    // Esc leaves the editor when nothing inside it is open for Esc to close.
    editor.addCommand(
      monaco.KeyCode.Escape,
      () => {
        const container = containerRef.current;
        if (!container) return;
        const all = [...document.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !container.contains(el) && el.offsetParent !== null);
        const next = all.find((el) => container.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
        (next ?? all.at(-1))?.focus();
      },
      '!suggestWidgetVisible && !findWidgetVisible && !markersNavigationVisible && !parameterHintsVisible && !renameInputVisible',
    );
  };

  return (
    <div className="code-editor" ref={containerRef} role="group" aria-label={label} aria-describedby={hintId}>
      <Editor
        height={height}
        language={language}
        {...(jsonSchema ? { path: jsonSchema.path } : {})}
        value={value}
        theme={theme}
        onChange={(next) => onChange(next ?? '')}
        onMount={onMount}
        loading={
          <p className="loading small" role="status">
            Loading the editor…
          </p>
        }
        options={{
          ariaLabel: label,
          readOnly,
          domReadOnly: readOnly,
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          wordWrap: 'on',
          tabSize: 2,
          insertSpaces: true,
          renderValidationDecorations: 'on',
          // The last line's number at full contrast (dimmed fails WCAG contrast).
          renderFinalNewline: 'on',
          fontSize: 13,
          automaticLayout: true,
          accessibilitySupport: 'auto',
          // Suggestions and hovers float above the page, not clipped by the editor's rounded frame.
          fixedOverflowWidgets: true,
        }}
      />
      <p id={hintId} className="muted small code-editor-hint">
        {readOnly ? 'Read only. ' : 'Tab indents. '}Esc leaves the editor; Ctrl+M switches Tab to move focus.
      </p>
    </div>
  );
}

function toMarker(model: Model, m: CodeMarker): MarkerData {
  const line = Math.min(Math.max(1, m.line), model.getLineCount());
  const column = Math.max(1, m.column ?? model.getLineFirstNonWhitespaceColumn(line) ?? 1);
  const endLine = Math.min(Math.max(line, m.endLine ?? line), model.getLineCount());
  const endColumn = m.endColumn ?? model.getLineMaxColumn(endLine);
  return {
    startLineNumber: line,
    startColumn: column,
    endLineNumber: endLine,
    endColumn: Math.max(endColumn, column + 1),
    message: m.message,
    severity: m.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
  };
}
