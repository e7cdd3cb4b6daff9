/**
 * Types for Monaco's JSON contribution entry: the package types it only under a path the import
 * rules reserve for desk features, so the part the code editor uses is declared here.
 */
declare module 'monaco-editor/language/json/monaco.contribution.js' {
  type Severity = 'error' | 'warning' | 'ignore';
  export const jsonDefaults: {
    setDiagnosticsOptions(options: {
      validate?: boolean;
      allowComments?: boolean;
      enableSchemaRequest?: boolean;
      schemaValidation?: Severity;
      schemas?: { uri: string; fileMatch?: string[]; schema?: unknown }[];
    }): void;
  };
}
