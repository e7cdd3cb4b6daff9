/** The parts of @nlpjs used here (the packages ship no types). */
declare module '@nlpjs/core' {
  export interface Container {
    use(plugin: unknown): void;
  }
  export function containerBootstrap(settings?: Record<string, unknown>): Container;
}
declare module '@nlpjs/nlu' {
  import type { Container } from '@nlpjs/core';
  export interface NluResult {
    intent: string;
    score: number;
    classifications: Array<{ intent: string; score: number }>;
  }
  export class NluManager {
    constructor(settings: { container: Container; locales: string[]; trainByDomain?: boolean; log?: boolean });
    add(locale: string, utterance: string, intent: string): void;
    train(): Promise<void>;
    process(locale: string, utterance: string): Promise<NluResult>;
  }
  export const NluNeural: unknown;
}
declare module '@nlpjs/lang-en' {
  export const LangEn: unknown;
}
declare module '@nlpjs/lang-es' {
  export const LangEs: unknown;
}
