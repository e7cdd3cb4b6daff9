/**
 * Baseline for the swarm benchmark: a bare socket.io relay with the same namespaces, server options
 * and fan-out as the Carebridge server, and nothing else — no authentication, no persistence, no
 * routing, no validation. A socket says which conversation room it is in (`relay:join`); a patient's
 * `message:send` gets a per-conversation seq in memory, is emitted as `message:new` to the room on
 * `/staff` and on `/patient` (the real server echoes it to the patient too) and acknowledged.
 *
 *   node --import tsx scripts/bench/swarm/relay-server.ts   (PORT, HOST; prints "listening <port>")
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server, type Socket } from 'socket.io';

const server = http.createServer();
const io = new Server(server, { serveClient: false, maxHttpBufferSize: 64 * 1024, pingInterval: 10_000, pingTimeout: 5_000 });
const patient = io.of('/patient');
const staff = io.of('/staff');
const lastSeq = new Map<string, number>();
const room = (conversationId: string) => `conversation:${conversationId}`;

type Reply = (body: unknown) => void;
const isReply = (value: unknown): value is Reply => typeof value === 'function';

function onJoin(socket: Socket): void {
  socket.on('relay:join', (payload: { conversationId?: unknown }, reply: unknown) => {
    if (typeof payload?.conversationId !== 'string') {
      if (isReply(reply)) reply({ ok: false, error: { code: 'bad_payload', message: 'conversationId' } });
      return;
    }
    void socket.join(room(payload.conversationId));
    if (isReply(reply)) reply({ ok: true });
  });
}

staff.on('connection', onJoin);
patient.on('connection', (socket) => {
  onJoin(socket);
  socket.on('message:send', (payload: { conversationId: string; clientMessageId: string; body: string }, reply: unknown) => {
    const seq = (lastSeq.get(payload.conversationId) ?? 0) + 1;
    lastSeq.set(payload.conversationId, seq);
    const message = {
      id: randomUUID(),
      conversationId: payload.conversationId,
      seq,
      clientMessageId: payload.clientMessageId,
      sender: { kind: 'visitor', id: socket.id },
      kind: 'text',
      body: payload.body,
      createdAt: new Date().toISOString(),
    };
    staff.to(room(payload.conversationId)).emit('message:new', message);
    patient.to(room(payload.conversationId)).emit('message:new', message);
    if (isReply(reply)) reply({ ok: true, seq, messageId: message.id, duplicate: false });
  });
});

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
