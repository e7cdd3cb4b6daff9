/**
 * Child processes of the swarm benchmark: the measured server (or the baseline relay) started with
 * node + tsx, its memory read from /proc, its event-loop probe asked for a sample, and the client
 * workers reached over IPC.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { EventLoopSample } from './event-loop-probe.js';
import type { WorkerReply, WorkerRequestName, WorkerRequests } from './shared.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const PROBE = path.join(import.meta.dirname, 'event-loop-probe.ts');

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** The last few KB it printed (for error messages). */
  output(): string;
  exited: Promise<number | null>;
}

/** Runs a TypeScript entry with tsx and the event-loop probe preloaded (and a CPU profile written into `profileDir` when it stops). */
export function startServerProcess(entry: string, env: Record<string, string>, profileDir?: string): ServerProcess {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', '--import', PROBE, entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, pid: child.pid!, output: () => output, exited };
}

/** Resolves once `url` answers 2xx; rejects if the process exits first or after `timeoutMs`. */
export async function waitForHttp(url: string, server: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void server.exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`the server exited before answering ${url}:\n${server.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${url} within ${timeoutMs} ms:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves with the port once the process prints `listening <port>`. */
export function waitForListening(server: ServerProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening within ${timeoutMs} ms:\n${server.output()}`)), timeoutMs);
    const check = () => {
      const m = server.output().match(/listening (\d+)/);
      if (m) {
        clearTimeout(timer);
        server.child.stdout!.off('data', check);
        resolve(Number(m[1]));
      }
    };
    server.child.stdout!.on('data', check);
    void server.exited.then(() => reject(new Error(`exited before listening:\n${server.output()}`)));
    check();
  });
}

export async function stopProcess(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(signal);
  const timer = setTimeout(() => server.child.kill('SIGKILL'), timeoutMs);
  await server.exited;
  clearTimeout(timer);
}

/** VmRSS and VmHWM of a process, in MiB (null once it is gone). */
export function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
    return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (0 once it is gone). */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
/** USER_HZ: 100 on every Linux the project targets. */
const CLOCK_TICKS = 100;

/** Nanoseconds the main thread ran, and waited in the run queue for a CPU (/proc/<pid>/schedstat). */
function schedOf(pid: number): { runNs: number; waitNs: number } {
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ');
    return { runNs: Number(run), waitNs: Number(wait) };
  } catch {
    return { runNs: 0, waitNs: 0 };
  }
}

export interface CpuShare {
  /** Share of one core the whole process used (1 = a full core). */
  cpu: number;
  /** Share of the time its main thread (the event loop) was runnable but waiting for a CPU. */
  runQueueWait: number;
}

/** Starts measuring a process's CPU; the returned function gives the shares since then. */
export function cpuMeter(pid: number): () => CpuShare {
  const startCpu = cpuSecondsOf(pid);
  const startSched = schedOf(pid);
  const startAt = process.hrtime.bigint();
  return () => {
    const elapsedS = Number(process.hrtime.bigint() - startAt) / 1e9;
    return { cpu: (cpuSecondsOf(pid) - startCpu) / elapsedS, runQueueWait: (schedOf(pid).waitNs - startSched.waitNs) / 1e9 / elapsedS };
  };
}

/** Polls a process's RSS; `peak()` is the highest seen since the last `reset()`. */
export class RssSampler {
  private peakMiB = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private pid: number) {
    this.timer = setInterval(() => this.sample(), 250);
  }
  private sample(): void {
    const m = memoryOf(this.pid);
    if (m && m.rssMiB > this.peakMiB) this.peakMiB = m.rssMiB;
  }
  follow(pid: number): void {
    this.pid = pid;
  }
  reset(): void {
    this.peakMiB = 0;
    this.sample();
  }
  peak(): number {
    this.sample();
    return this.peakMiB;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** Asks the probe in `pid` for the event-loop delay since its previous sample (and restarts it). */
export async function eventLoopSample(pid: number, file: string): Promise<EventLoopSample> {
  const read = (): EventLoopSample | null => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as EventLoopSample;
    } catch {
      return null;
    }
  };
  const previous = read();
  const before = previous?.pid === pid ? previous.seq : 0;
  process.kill(pid, 'SIGUSR2');
  // A busy loop answers the signal late, not never.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const sample = read();
    if (sample && sample.pid === pid && sample.seq > before) return sample;
    if (Date.now() > deadline) throw new Error(`no event-loop sample from ${pid} (is the probe preloaded?)`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A forked swarm worker answering the requests of shared.ts. */
export class WorkerClient {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly child: ChildProcess;
  constructor(readonly index: number) {
    this.child = fork(path.join(import.meta.dirname, 'worker.ts'), [], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: WorkerReply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.res);
      else waiter.reject(new Error(`worker ${this.index}: ${reply.error}`));
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`worker ${this.index} exited with ${code}`));
      this.waiting.clear();
    });
  }
  call<N extends WorkerRequestName>(name: N, req: WorkerRequests[N]['req']): Promise<WorkerRequests[N]['res']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, name, req });
    });
  }
  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}
