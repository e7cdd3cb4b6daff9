/**
 * The optional Azure AI Language provider (`@azure/ai-text-analytics`, Text Analytics v3.1
 * `POST {endpoint}/text/analytics/v3.1/sentiment`), used when `AZURE_LANGUAGE_ENDPOINT` and
 * `AZURE_LANGUAGE_KEY` are set. Asynchronous only: it runs from the `sentiment.azure` job, never on
 * the message path. Texts the local model flags (empty, binary, another script) are not sent; each
 * document's language hint is the local model's reading (`en` or `es`).
 * Batches of 10 documents (the service's limit for sentiment); a batch that fails or takes longer
 * than the timeout, and a document the service answers with an error, keep the local score. The
 * key is sent only in the `Ocp-Apim-Subscription-Key` header and never logged.
 */
import { AzureKeyCredential, TextAnalyticsClient, type AnalyzeSentimentResult } from '@azure/ai-text-analytics';
import type { SentimentResult } from '../contracts/sentiment.js';
import type { Logger } from '../platform/logging.js';
import { labelOfScale, scaleOf, type LocalModel } from './model.js';
import type { ScoredText, SentimentProvider } from './provider.js';

/** Documents per request: the service's limit for sentiment analysis. */
export const AZURE_BATCH = 10;

export interface AzureProviderOptions {
  endpoint: string;
  key: string;
  timeoutMs: number;
  /** Scores first (for the flags) and whatever Azure does not answer. */
  local: LocalModel;
  logger: Pick<Logger, 'warn'>;
}

export function createAzureProvider(options: AzureProviderOptions): SentimentProvider {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  // No retries inside the SDK: a failed batch falls back at once. Plain HTTP only to this machine
  // (a local stand-in); the configuration refuses it for any other host, so the key never travels in clear.
  const client = new TextAnalyticsClient(endpoint, new AzureKeyCredential(options.key), { retryOptions: { maxRetries: 0 }, allowInsecureConnection: isLoopbackHttp(endpoint) });

  async function batch(texts: readonly string[], signal: AbortSignal | undefined): Promise<ScoredText[]> {
    const local = texts.map((text) => options.local.score(text));
    const sendable = local.map((r, i) => ({ i, r })).filter(({ r }) => !r.flags.some((f) => f !== 'truncated'));
    const out: ScoredText[] = local.map((result) => ({ result, provider: 'local' }));
    if (sendable.length === 0) return out;
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const documents = sendable.map(({ i }) => ({ id: String(i), text: texts[i]!.slice(0, 5_120), language: options.local.languageOf(texts[i]!) }));
      const answers = await client.analyzeSentiment(documents, { abortSignal });
      for (const answer of answers) {
        const i = Number(answer.id);
        if (!Number.isInteger(i) || i < 0 || i >= texts.length) continue;
        if (answer.error !== undefined) {
          options.logger.warn({ code: answer.error.code, document: i }, 'Azure sentiment: a document was refused; its local score stays');
          continue;
        }
        out[i] = { result: fromAzure(answer, local[i]!), provider: 'azure' };
      }
    } catch (err) {
      const timedOut = timeout.aborted;
      // Never the key: only what kind of failure it was.
      options.logger.warn({ reason: timedOut ? 'timeout' : errorKind(err), documents: sendable.length }, 'Azure sentiment failed; the local scores stay');
    }
    return out;
  }

  return {
    name: 'azure',
    async score(texts, { signal } = {}) {
      const out: ScoredText[] = [];
      for (let at = 0; at < texts.length; at += AZURE_BATCH) out.push(...(await batch(texts.slice(at, at + AZURE_BATCH), signal)));
      return out;
    },
  };
}

/** Azure's confidences as our result: score = positive − negative, on our scale. */
export function fromAzure(answer: Extract<AnalyzeSentimentResult, { sentiment: unknown }>, local: SentimentResult): SentimentResult {
  const { positive, negative } = answer.confidenceScores;
  const score = Math.max(-1, Math.min(1, Math.round((positive - negative) * 1000) / 1000));
  const scale = scaleOf(score);
  return { label: labelOfScale(scale), score, scale, flags: local.flags };
}

/** `http://` to 127.0.0.0/8, localhost or [::1]. */
export function isLoopbackHttp(endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    return url.protocol === 'http:' && (/^127\.\d+\.\d+\.\d+$/.test(url.hostname) || url.hostname === 'localhost' || url.hostname === '[::1]');
  } catch {
    return false;
  }
}

function errorKind(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; statusCode?: unknown; code?: unknown };
    return [e.name, e.statusCode, e.code].filter((x) => typeof x === 'string' || typeof x === 'number').join(' ') || 'error';
  }
  return 'error';
}
