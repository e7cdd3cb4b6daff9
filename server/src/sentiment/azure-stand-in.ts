/**
 * For the Azure tests only (not a test file): a local HTTP server that speaks the part of the Text
 * Analytics v3.1 REST API the SDK uses for sentiment — `POST /text/analytics/v3.1/sentiment` with
 * `{ documents: [{ id, text, language }] }` and the `Ocp-Apim-Subscription-Key` header, answering
 * `{ documents: [{ id, sentiment, confidenceScores, sentences, warnings }], errors, modelVersion }`,
 * or the service's error shape `{ error: { code, message } }`. Its `mode` makes it fail or hang.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type StandInMode = 'ok' | 'server-error' | 'unauthorized' | 'hang' | 'document-error';

export interface StandInRequest {
  path: string;
  query: Record<string, string>;
  key: string | undefined;
  documents: { id: string; text: string; language?: string }[];
}

export interface AzureStandIn {
  endpoint: string;
  requests: StandInRequest[];
  mode: StandInMode;
  close(): Promise<void>;
}

/** A crude scorer so answers differ from the local model's: "good"/"thank" positive, "bad"/"angry" negative. */
function confidences(text: string): { positive: number; neutral: number; negative: number } {
  const t = text.toLowerCase();
  if (/thank|good|great/.test(t)) return { positive: 0.97, neutral: 0.02, negative: 0.01 };
  if (/bad|angry|ridiculous|waiting/.test(t)) return { positive: 0.01, neutral: 0.04, negative: 0.95 };
  return { positive: 0.05, neutral: 0.9, negative: 0.05 };
}

export async function startAzureStandIn(key: string): Promise<AzureStandIn> {
  const sockets = new Set<Socket>();
  const state: AzureStandIn = { endpoint: '', requests: [], mode: 'ok', close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const body = raw ? (JSON.parse(raw) as { documents?: StandInRequest['documents'] }) : {};
      const headerKey = req.headers['ocp-apim-subscription-key'];
      state.requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), key: Array.isArray(headerKey) ? headerKey[0] : headerKey, documents: body.documents ?? [] });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(payload));
      };
      if (req.method !== 'POST' || url.pathname !== '/text/analytics/v3.1/sentiment') return send(404, { error: { code: 'NotFound', message: 'Resource not found' } });
      if (headerKey !== key || state.mode === 'unauthorized') {
        return send(401, { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } });
      }
      if (state.mode === 'hang') return; // never answers: the client's timeout must end it
      if (state.mode === 'server-error') return send(500, { error: { code: 'InternalServerError', message: 'Internal server error.' } });
      const documents = [];
      const errors = [];
      for (const [i, doc] of (body.documents ?? []).entries()) {
        if (state.mode === 'document-error' && i === 0) {
          errors.push({ id: doc.id, error: { code: 'InvalidArgument', message: 'Invalid document in request.', innererror: { code: 'InvalidDocument', message: 'Document text is empty.' } } });
          continue;
        }
        const scores = confidences(doc.text);
        const sentiment = scores.positive > 0.5 ? 'positive' : scores.negative > 0.5 ? 'negative' : 'neutral';
        documents.push({
          id: doc.id,
          sentiment,
          confidenceScores: scores,
          sentences: [{ sentiment, confidenceScores: scores, offset: 0, length: doc.text.length, text: doc.text }],
          warnings: [],
        });
      }
      send(200, { documents, errors, modelVersion: '2022-11-01' });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
