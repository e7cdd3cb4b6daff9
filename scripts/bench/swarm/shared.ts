/**
 * What the swarm's orchestrator and its client worker processes share: the clock, the message body
 * format, histograms, and the IPC requests a worker answers.
 */
import hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/**
 * Microseconds on CLOCK_MONOTONIC. Every process on the machine reads the same clock, so a time
 * taken in one worker (a patient sends) and one taken in another (its agent receives) subtract
 * exactly; `performance.timeOrigin` differs between processes by up to a millisecond.
 */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Latencies in microseconds, 1 µs to 10 minutes, 3 significant digits. */
export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}
export const encodeHistogram = (h: Histogram): string => hdr.encodeIntoCompressedBase64(h);
export function mergeHistograms(encoded: string[]): Histogram {
  const total = newHistogram();
  for (const e of encoded) {
    if (!e) continue;
    const h = hdr.decodeFromCompressedBase64(e);
    total.add(h);
    h.destroy();
  }
  return total;
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}
export function summarize(h: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, p50Ms: NaN, p95Ms: NaN, p99Ms: NaN, maxMs: NaN };
  return {
    count: h.totalCount,
    p50Ms: ms(h.getValueAtPercentile(50)),
    p95Ms: ms(h.getValueAtPercentile(95)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    maxMs: ms(h.maxValue),
  };
}

/**
 * A patient's benchmark message: `<phase>|<m|w>|<sentAtUs>|` then filler to a typical chat length.
 * `m` = sent inside the measured window (its latency counts), `w` = warm-up or crash traffic.
 */
const FILLER = ' Hello, I would like to move my appointment on Thursday to next week if possible.';
export function messageBody(phase: string, measured: boolean, sentAtUs: number): string {
  return `${phase}|${measured ? 'm' : 'w'}|${sentAtUs}|${FILLER}`;
}
export function parseMessageBody(body: string): { phase: string; measured: boolean; sentAtUs: number } | null {
  const [phase, flag, sent] = body.split('|', 3);
  if (!phase || (flag !== 'm' && flag !== 'w') || !sent) return null;
  const sentAtUs = Number(sent);
  return Number.isFinite(sentAtUs) ? { phase, measured: flag === 'm', sentAtUs } : null;
}

/** The words that make the greeting bot hand the chat to a person. */
export const HANDOFF_PHRASE = 'I want to talk to a person';

export type Target = 'carebridge' | 'relay';

export interface PatientSeat {
  /** Index in the whole swarm. */
  index: number;
  token: string;
}
export interface AgentSeat {
  index: number;
  userId: string;
  token: string;
}

/** One conversation's route through hand-off, as seen by the patient (ack) and the agent (offer, accept). */
export interface HandoffRecord {
  conversationId: string;
  patientIndex: number;
  /** The patient emitted the hand-off message ("talk to a person"). */
  handoffSentAtUs: number;
  /** Its acknowledgement arrived (stored; the server answers after the bot's turn has run). */
  handoffAckAtUs: number;
}
export interface OfferRecord {
  conversationId: string;
  agentIndex: number;
  offerAtUs: number;
  acceptedAtUs: number | null;
  /** The offer came after the server restart (routing state lives in memory). */
  afterRestart: boolean;
}

/** Per-phase figures a worker reports. Ids are client message ids. */
export interface PhaseReport {
  sent: number;
  /** Client message id → acknowledged with `duplicate: true` (a resend the server recognised). */
  acked: Array<[string, boolean]>;
  /** Client message id, seq, how many times the agent side got it (live or by sync). */
  received: Array<[string, number, number]>;
  /** Messages delivered to an agent twice under the same seq (a client would drop them). */
  redelivered: number;
  /** Sockets that dropped (and reconnected by themselves) during the phase. */
  disconnects: number;
  /** Rejected acks by error code. */
  errors: Record<string, number>;
  deliveryHistogram: string;
  ackHistogram: string;
  clientLoopDelayP99Ms: number;
}

export interface ReconnectReport {
  sockets: number;
  /** Sockets that reconnected and finished their resync after `sinceUs`. */
  resynced: number;
  firstConnectAtUs: number | null;
  lastConnectAtUs: number | null;
  lastResyncAtUs: number | null;
  syncedMessages: number;
  /** Emitted before the drop, unacknowledged, sent again with the same id after the resync. */
  resent: number;
  /** Created while disconnected, first sent after the resync. */
  heldWhileOffline: number;
  /** Chats the server moved to one of this worker's agents without an offer (since the start). */
  reassigned: number;
  /** Failures while reconnecting or resyncing, by message. */
  errors: Record<string, number>;
}

/** Orchestrator → worker requests, and what each answers. */
export interface WorkerRequests {
  connect: { req: { url: string; target: Target; patients: PatientSeat[]; agents: AgentSeat[]; pairs?: Array<{ patientIndex: number; agentIndex: number; conversationId: string }> }; res: { ms: number } };
  handoff: { req: { perSecond: number; offsetMs: number }; res: { records: HandoffRecord[]; errors: Record<string, number> } };
  offers: { req: Record<string, never>; res: { records: OfferRecord[] } };
  /** Which of this worker's patients send in the load phases (their conversation has an agent). */
  senders: { req: { conversationIds: string[] }; res: { senders: number } };
  load: { req: { phase: string; ratePerSecond: number; warmupMs: number; measuredMs: number }; res: { sent: number } };
  pending: { req: { phase: string }; res: { pending: number; acked: number; received: number } };
  report: { req: { phase: string }; res: PhaseReport };
  /** After a server restart: how far the reconnect and resync got. */
  reconnect: { req: { sinceUs: number }; res: ReconnectReport };
  markRestart: { req: { atUs: number }; res: Record<string, never> };
  disconnect: { req: Record<string, never>; res: Record<string, never> };
}
export type WorkerRequestName = keyof WorkerRequests;
export interface WorkerEnvelope<N extends WorkerRequestName = WorkerRequestName> {
  id: number;
  name: N;
  req: WorkerRequests[N]['req'];
}
export type WorkerReply = { id: number; ok: true; res: unknown } | { id: number; ok: false; error: string };
