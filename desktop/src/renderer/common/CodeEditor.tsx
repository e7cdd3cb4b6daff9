/**
 * The code editor of the desk (YAML, Markdown, JSON). This is the plain `<textarea>` version; the
 * Monaco one replaces it with exactly this interface, so callers depend on nothing else. The label is
 * the editor's accessible name; markers are listed under it, tied by aria-describedby.
 */
import { useId, type JSX } from 'react';

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
}

export function CodeEditor({ value, onChange, language, label, markers = [], readOnly = false, height = 320 }: CodeEditorProps): JSX.Element {
  const markersId = useId();
  return (
    <div className="code-editor" data-language={language}>
      <textarea
        className="input code-editor-input"
        aria-label={label}
        aria-describedby={markers.length > 0 ? markersId : undefined}
        aria-invalid={markers.some((m) => m.severity === 'error') || undefined}
        spellCheck={language === 'markdown'}
        readOnly={readOnly}
        value={value}
        style={{ height }}
        onChange={(e) => onChange(e.target.value)}
      />
      {markers.length > 0 ? (
        <ul id={markersId} className="code-editor-markers small">
          {markers.map((m, i) => (
            <li key={i} className={m.severity === 'error' ? 'inline-error' : 'muted'}>
              Line {m.line}
              {m.column ? `, column ${m.column}` : ''}: {m.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
