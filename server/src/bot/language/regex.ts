/**
 * Authors' RegEx patterns, compiled with RE2 (re2-wasm: Google's engine as WebAssembly, no native
 * build). RE2 runs in time linear in the text whatever the pattern, so a pattern like `(a+)+$`
 * cannot hang the server on a hostile utterance; it has no backreferences or lookaround, and a
 * pattern that uses them is refused with the reason.
 */
import { RE2 } from 're2-wasm';

export interface CompiledPattern {
  source: string;
  test(folded: string): boolean;
}

export interface PatternProblem {
  /** Where in the saved body, e.g. `model.intents.0.patterns.2`. */
  path: string;
  pattern: string;
  message: string;
}

export function compilePattern(source: string): CompiledPattern | { error: string } {
  try {
    const re = new RE2(source, 'iu');
    return { source, test: (folded: string) => re.test(folded) };
  } catch (err) {
    const message = (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    const hint = /\\[1-9]|\(\?[=!<]/.test(source) ? ' (RE2 syntax: backreferences and lookaround are not supported)' : '';
    return { error: `${message}${hint}` };
  }
}
