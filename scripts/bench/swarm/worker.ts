/**
 * One client process of the swarm (forked by run.ts): a share of the patient and agent sockets,
 * driven by requests over IPC (see `WorkerRequests` in shared.ts).
 *
 * Patients start a chat, ask the bot for a person, then send at the rate they are told, open loop
 * (never waiting for acks). Each message has a fresh client message id and stays pending until
 * acknowledged; after a reconnect the patient resyncs from its last seq and resends every pending
 * message with the same id. Agents accept every offer, record every patient message they get
 * (live or by `conversation:sync` after a reconnect) and its delivery latency.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { Histogram } from 'hdr-histogram-js';
import type { ConversationAcks, ConversationAssignedEvent, ConversationRemovedEvent, MessageView, OfferEvent } from '../../../server/src/contracts/conversations.js';
import {
  HANDOFF_PHRASE,
  encodeHistogram,
  messageBody,
  newHistogram,
  nowUs,
  parseMessageBody,
  type AgentSeat,
  type HandoffRecord,
  type OfferRecord,
  type PatientSeat,
  type PhaseReport,
  type Target,
  type WorkerEnvelope,
  type WorkerReply,
  type WorkerRequestName,
  type WorkerRequests,
} from './shared.js';

interface Pending {
  body: string;
  phase: string;
  measured: boolean;
  emittedAtUs: number;
}

interface Patient {
  seat: PatientSeat;
  socket: Socket;
  conversationId: string | null;
  lastSeq: number;
  resumeFrom: number;
  sender: boolean;
  /** Client message id → not yet acknowledged. Insertion order is send order. */
  pending: Map<string, Pending>;
  /** Held back while resyncing after a reconnect. */
  resyncing: boolean;
  connects: number;
  connectedAtUs: number | null;
  resyncedAtUs: number | null;
}

interface Agent {
  seat: AgentSeat;
  socket: Socket;
  /** Conversation id → highest seq held. */
  conversations: Map<string, number>;
  /** The seqs held when the connection dropped: the resync starts there (live messages may arrive first). */
  resumeFrom: Map<string, number>;
  connects: number;
  connectedAtUs: number | null;
  resyncedAtUs: number | null;
}

interface PhaseStats {
  sent: number;
  acked: Map<string, boolean>;
  /** `${clientMessageId} ${seq}` → deliveries. */
  received: Map<string, number>;
  redelivered: number;
  errors: Record<string, number>;
  delivery: Histogram;
  ack: Histogram;
  /** Sockets of this worker that dropped while this phase was the latest. */
  disconnects: number;
}

let target: Target = 'carebridge';
let patients: Patient[] = [];
let agents: Agent[] = [];
const handoffs: HandoffRecord[] = [];
const handoffErrors: Record<string, number> = {};
const reconnectErrors: Record<string, number> = {};
const offers = new Map<string, OfferRecord>();
let restartedAtUs: number | null = null;
/** The phase of the latest load request: drops are counted against it. */
let currentPhase = 'setup';
const dropped = () => phaseStats(currentPhase).disconnects++;
let syncedMessages = 0;
/** Messages emitted before the drop and sent again with the same id, and those first sent after it. */
let resent = 0;
let heldWhileOffline = 0;
/** Chats the server gave an agent without an offer (reassignment, transfer). */
let reassigned = 0;
const phases = new Map<string, PhaseStats>();
const LOOP_RESOLUTION_MS = 5;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();

function phaseStats(phase: string): PhaseStats {
  let stats = phases.get(phase);
  if (!stats) phases.set(phase, (stats = { sent: 0, acked: new Map(), received: new Map(), redelivered: 0, errors: {}, delivery: newHistogram(), ack: newHistogram(), disconnects: 0 }));
  return stats;
}
const countError = (errors: Record<string, number>, code: string) => (errors[code] = (errors[code] ?? 0) + 1);

type Ack<E extends keyof ConversationAcks> = ConversationAcks[E];
type RelayAck = { ok: true } | { ok: false; error: { code: string; message: string } };

function openSocket(url: string, namespace: '/patient' | '/staff', token: string): Socket {
  return io(`${url}${namespace}`, {
    auth: { token },
    transports: ['websocket'],
    // One connection per client, as 2,200 browsers would have (the default shares one per URL).
    forceNew: true,
    reconnection: true,
    reconnectionDelay: 250,
    reconnectionDelayMax: 1000,
    randomizationFactor: 0.5,
    timeout: 20_000,
  });
}

function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    const timer = setTimeout(() => reject(new Error('socket did not connect within 30 s')), 30_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// --- agents ---

/** Every patient message an agent gets, live or by sync, is counted here. */
function agentGot(agent: Agent, message: MessageView, live: boolean): void {
  const held = agent.conversations.get(message.conversationId) ?? 0;
  if (message.seq > held) agent.conversations.set(message.conversationId, message.seq);
  if ((message.sender.kind !== 'visitor' && message.sender.kind !== 'patient') || !message.clientMessageId) return;
  const parsed = parseMessageBody(message.body);
  if (!parsed) return;
  const stats = phaseStats(parsed.phase);
  const key = `${message.clientMessageId} ${message.seq}`;
  const seen = stats.received.get(key) ?? 0;
  stats.received.set(key, seen + 1);
  if (seen > 0) stats.redelivered++;
  else if (live && parsed.measured) stats.delivery.recordValue(Math.max(1, nowUs() - parsed.sentAtUs));
}

async function syncConversation(socket: Socket, conversationId: string, afterSeq: number, onMessage: (m: MessageView) => void): Promise<void> {
  let from = afterSeq;
  for (;;) {
    const ack = (await socket.emitWithAck('conversation:sync', { conversationId, afterSeq: from })) as Ack<'conversation:sync'>;
    if (!ack.ok) throw new Error(`conversation:sync refused: ${ack.error.code} ${ack.error.message}`);
    for (const m of ack.messages) {
      onMessage(m);
      from = Math.max(from, m.seq);
    }
    syncedMessages += ack.messages.length;
    if (!ack.hasMore) return;
  }
}

function addAgent(url: string, seat: AgentSeat, conversationIds: string[]): Agent {
  const socket = openSocket(url, '/staff', seat.token);
  const agent: Agent = { seat, socket, conversations: new Map(conversationIds.map((id) => [id, 0])), resumeFrom: new Map(), connects: 0, connectedAtUs: null, resyncedAtUs: null };
  socket.on('message:new', (m: MessageView) => agentGot(agent, m, true));
  // Messages on one connection arrive in order, so what is held at the drop has no gaps below it.
  socket.on('disconnect', () => {
    agent.resumeFrom = new Map(agent.conversations);
    dropped();
  });
  socket.on('connect', () => {
    agent.connects++;
    agent.connectedAtUs = nowUs();
    void (async () => {
      if (target === 'relay') return; // the connect request joins the rooms
      const presence = (await socket.emitWithAck('presence:set', { state: 'available' })) as { ok: boolean };
      if (!presence.ok) countError(agent.connects === 1 ? handoffErrors : reconnectErrors, 'presence:set refused');
      if (agent.connects === 1) return;
      // Back after a drop: the desk resyncs every open conversation from the last seq it holds.
      // The server puts a reconnecting desk back in its rooms, so live messages may come before the sync's.
      for (const [id, seq] of agent.resumeFrom) await syncConversation(socket, id, seq, (m) => agentGot(agent, m, false));
      agent.resyncedAtUs = nowUs();
    })().catch((err: unknown) => countError(reconnectErrors, `agent: ${err instanceof Error ? err.message : String(err)}`));
  });
  // The server may move a chat between agents (reassignment when one stops answering, transfers).
  socket.on('conversation:assigned', (event: ConversationAssignedEvent) => {
    if (!agent.conversations.has(event.conversation.id)) agent.conversations.set(event.conversation.id, 0);
    reassigned++;
  });
  socket.on('conversation:removed', (event: ConversationRemovedEvent) => {
    agent.conversations.delete(event.conversationId);
    agent.resumeFrom.delete(event.conversationId);
  });
  socket.on('offer:new', (offer: OfferEvent) => {
    const record: OfferRecord = { conversationId: offer.conversationId, agentIndex: seat.index, offerAtUs: nowUs(), acceptedAtUs: null, afterRestart: restartedAtUs !== null };
    offers.set(offer.conversationId, record);
    socket.emit('offer:accept', { offerId: offer.offerId }, (ack: Ack<'offer:accept'>) => {
      if (ack.ok) {
        record.acceptedAtUs = nowUs();
        if (!agent.conversations.has(offer.conversationId)) agent.conversations.set(offer.conversationId, 0);
      } else countError(handoffErrors, `offer:accept ${ack.error.code}`);
    });
  });
  return agent;
}

// --- patients ---

function addPatient(url: string, seat: PatientSeat, conversationId: string | null): Patient {
  const socket = openSocket(url, '/patient', seat.token);
  const patient: Patient = { seat, socket, conversationId, lastSeq: 0, resumeFrom: 0, sender: false, pending: new Map(), resyncing: false, connects: 0, connectedAtUs: null, resyncedAtUs: null };
  socket.on('message:new', (m: MessageView) => {
    if (m.conversationId === patient.conversationId && m.seq > patient.lastSeq) patient.lastSeq = m.seq;
  });
  socket.on('disconnect', () => {
    patient.resumeFrom = patient.lastSeq;
    dropped();
  });
  socket.on('connect', () => {
    patient.connects++;
    patient.connectedAtUs = nowUs();
    if (target === 'relay' || patient.connects === 1 || !patient.conversationId) return;
    // Back after a drop: resync from the last seq held, then resend what was never acknowledged.
    patient.resyncing = true;
    const id = patient.conversationId;
    void syncConversation(socket, id, patient.resumeFrom, (m) => {
      if (m.seq > patient.lastSeq) patient.lastSeq = m.seq;
    })
      .then(() => {
        patient.resyncing = false;
        patient.resyncedAtUs = nowUs();
        for (const [clientMessageId, entry] of patient.pending) {
          if (entry.emittedAtUs > 0) resent++;
          else heldWhileOffline++;
          emitMessage(patient, clientMessageId, entry);
        }
      })
      .catch((err: unknown) => {
        patient.resyncing = false;
        countError(reconnectErrors, `patient: ${err instanceof Error ? err.message : String(err)}`);
      });
  });
  return patient;
}

function emitMessage(patient: Patient, clientMessageId: string, entry: Pending): void {
  // Offline or resyncing: it stays pending and goes out after the resync, with the same id.
  if (!patient.socket.connected || patient.resyncing) return;
  entry.emittedAtUs = nowUs();
  patient.socket.emit('message:send', { conversationId: patient.conversationId, clientMessageId, body: entry.body }, (ack: Ack<'message:send'> | RelayAck) => {
    if (patient.pending.get(clientMessageId) !== entry) return;
    const stats = phaseStats(entry.phase);
    if (ack.ok) {
      patient.pending.delete(clientMessageId);
      stats.acked.set(clientMessageId, 'duplicate' in ack && ack.duplicate);
      if (entry.measured) stats.ack.recordValue(Math.max(1, nowUs() - entry.emittedAtUs));
    } else {
      // Refused: not stored, so not expected at the agent; counted and shown in the report.
      patient.pending.delete(clientMessageId);
      countError(stats.errors, ack.error.code);
    }
  });
}

function send(patient: Patient, phase: string, measured: boolean): void {
  const clientMessageId = randomUUID();
  const entry: Pending = { body: messageBody(phase, measured, nowUs()), phase, measured, emittedAtUs: 0 };
  patient.pending.set(clientMessageId, entry);
  phaseStats(phase).sent++;
  emitMessage(patient, clientMessageId, entry);
}

async function startChat(patient: Patient): Promise<HandoffRecord> {
  const started = (await patient.socket.emitWithAck('conversation:start', { channel: 'widget' })) as Ack<'conversation:start'>;
  if (!started.ok) throw new Error(`conversation:start ${started.error.code}`);
  const conversationId = started.conversation.id;
  patient.conversationId = conversationId;
  for (const m of started.messages) patient.lastSeq = Math.max(patient.lastSeq, m.seq);
  const handoffSentAtUs = nowUs();
  const ack = (await patient.socket.emitWithAck('message:send', { conversationId, clientMessageId: randomUUID(), body: HANDOFF_PHRASE })) as Ack<'message:send'>;
  const handoffAckAtUs = nowUs();
  if (!ack.ok) throw new Error(`hand-off message ${ack.error.code}`);
  return { conversationId, patientIndex: patient.seat.index, handoffSentAtUs, handoffAckAtUs };
}

// --- requests ---

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const handlers: { [N in WorkerRequestName]: (req: WorkerRequests[N]['req']) => Promise<WorkerRequests[N]['res']> } = {
  async connect({ url, target: to, patients: patientSeats, agents: agentSeats, pairs }) {
    const started = nowUs();
    target = to;
    const byAgent = new Map<number, string[]>();
    const byPatient = new Map<number, string>();
    for (const pair of pairs ?? []) {
      byAgent.set(pair.agentIndex, [...(byAgent.get(pair.agentIndex) ?? []), pair.conversationId]);
      byPatient.set(pair.patientIndex, pair.conversationId);
    }
    // Agents first (so offers have somewhere to go), then patients, 50 handshakes at a time.
    agents = agentSeats.map((seat) => addAgent(url, seat, byAgent.get(seat.index) ?? []));
    for (let i = 0; i < agents.length; i += 50) await Promise.all(agents.slice(i, i + 50).map((a) => connected(a.socket)));
    for (let i = 0; i < patientSeats.length; i += 50) {
      const batch = patientSeats.slice(i, i + 50).map((seat) => addPatient(url, seat, byPatient.get(seat.index) ?? null));
      patients.push(...batch);
      await Promise.all(batch.map((p) => connected(p.socket)));
    }
    if (to === 'relay') {
      // The bare relay has no routing: each side says which conversation room it is in.
      const join = async (socket: Socket, conversationId: string) => {
        const ack = (await socket.emitWithAck('relay:join', { conversationId })) as RelayAck;
        if (!ack.ok) throw new Error(`relay:join ${ack.error.code}`);
      };
      await Promise.all([
        ...agents.flatMap((a) => [...a.conversations.keys()].map((id) => join(a.socket, id))),
        ...patients.filter((p) => p.conversationId).map((p) => join(p.socket, p.conversationId!)),
      ]);
    }
    return { ms: (nowUs() - started) / 1000 };
  },

  async handoff({ perSecond, offsetMs }) {
    const startUs = nowUs() + offsetMs * 1000;
    const records: HandoffRecord[] = [];
    await Promise.all(
      patients.map(async (patient, i) => {
        const wait = (startUs + (i * 1e6) / perSecond - nowUs()) / 1000;
        if (wait > 0) await sleep(wait);
        try {
          records.push(await startChat(patient));
        } catch (err) {
          countError(handoffErrors, err instanceof Error ? err.message : String(err));
        }
      }),
    );
    handoffs.push(...records);
    return { records, errors: handoffErrors };
  },

  async offers() {
    return { records: [...offers.values()] };
  },

  async senders({ conversationIds }) {
    const wanted = new Set(conversationIds);
    let n = 0;
    for (const p of patients) {
      p.sender = p.conversationId !== null && wanted.has(p.conversationId);
      if (p.sender) n++;
    }
    return { senders: n };
  },

  async load({ phase, ratePerSecond, warmupMs, measuredMs }) {
    currentPhase = phase;
    const senders = patients.filter((p) => p.sender);
    const total = Math.round(((warmupMs + measuredMs) / 1000) * ratePerSecond);
    const warmup = Math.round((warmupMs / 1000) * ratePerSecond);
    if (senders.length === 0 || total === 0) return { sent: 0 };
    loopDelay.reset();
    const startUs = nowUs();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const elapsedUs = nowUs() - startUs;
        const due = Math.min(total, Math.floor((elapsedUs / 1e6) * ratePerSecond));
        for (; sent < due; sent++) send(senders[sent % senders.length]!, phase, sent >= warmup);
        if (sent >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    return { sent };
  },

  async pending({ phase }) {
    const stats = phaseStats(phase);
    let pending = 0;
    for (const p of patients) for (const entry of p.pending.values()) if (entry.phase === phase) pending++;
    return { pending, acked: stats.acked.size, received: stats.received.size };
  },

  async report({ phase }) {
    const stats = phaseStats(phase);
    return {
      sent: stats.sent,
      acked: [...stats.acked],
      received: [...stats.received].map(([key, count]) => {
        const [id, seq] = key.split(' ');
        return [id!, Number(seq), count] as [string, number, number];
      }),
      redelivered: stats.redelivered,
      disconnects: stats.disconnects,
      errors: stats.errors,
      deliveryHistogram: encodeHistogram(stats.delivery),
      ackHistogram: encodeHistogram(stats.ack),
      // The histogram holds whole timer intervals: the delay is what exceeds the interval.
      clientLoopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
    } satisfies PhaseReport;
  },

  async reconnect({ sinceUs }) {
    const all = [...patients, ...agents];
    const back = all.filter((s) => s.connectedAtUs !== null && s.connectedAtUs > sinceUs);
    const resynced = all.filter((s) => s.resyncedAtUs !== null && s.resyncedAtUs > sinceUs);
    const max = (values: number[]) => (values.length ? Math.max(...values) : null);
    return {
      sockets: all.length,
      resynced: resynced.length,
      firstConnectAtUs: back.length ? Math.min(...back.map((s) => s.connectedAtUs!)) : null,
      lastConnectAtUs: max(back.map((s) => s.connectedAtUs!)),
      lastResyncAtUs: max(resynced.map((s) => s.resyncedAtUs!)),
      syncedMessages,
      resent,
      heldWhileOffline,
      reassigned,
      errors: reconnectErrors,
    };
  },

  async markRestart({ atUs }) {
    restartedAtUs = atUs;
    return {};
  },

  async disconnect() {
    currentPhase = 'closing';
    for (const s of [...patients, ...agents]) s.socket.disconnect();
    patients = [];
    agents = [];
    return {};
  },
};

process.on('message', (envelope: WorkerEnvelope) => {
  const handler = handlers[envelope.name] as (req: unknown) => Promise<unknown>;
  handler(envelope.req).then(
    (res) => process.send!({ id: envelope.id, ok: true, res } satisfies WorkerReply),
    (err: unknown) => process.send!({ id: envelope.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies WorkerReply),
  );
});
// The orchestrator went away (it closes the channel when done, or it crashed): nothing left to do.
process.on('disconnect', () => {
  for (const s of [...patients, ...agents]) s.socket.disconnect();
  process.exit(0);
});
