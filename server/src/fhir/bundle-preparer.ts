/**
 * Where a Bundle is prepared: small ones right here (a worker round trip would cost more than the
 * work), large ones in the import worker (`bundle-worker.ts`), so parsing, validating, resolving and
 * serializing a 1,400-entry Synthea patient never holds up the requests this thread serves. The
 * worker starts on the first large Bundle and stays up; an in-memory database cannot be shared with
 * a thread, so there everything is prepared here.
 *
 * From source (tsx, vitest) the worker registers tsx's loader itself before importing its
 * TypeScript; compiled, it is the `.js` file next to this one.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fromPlanError, planBundle, type BundleLookups, type BundlePlan, type PlanInput } from './bundle-plan.js';
import type { WorkerRequest, WorkerResponse } from './bundle-worker.js';

/** Bodies from this size on are prepared in the worker. */
export const DEFAULT_WORKER_MIN_BYTES = 64 * 1024;

export interface BundlePreparerOptions {
  /** The database file the worker reads (`:memory:`: no worker). */
  databasePath: string;
  workerMinBytes?: number;
}

interface Pending {
  resolve(plan: BundlePlan): void;
  reject(err: unknown): void;
}

export class BundlePreparer {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly workerMinBytes: number;

  constructor(
    private readonly lookups: BundleLookups,
    private readonly options: BundlePreparerOptions,
  ) {
    this.workerMinBytes = options.workerMinBytes ?? DEFAULT_WORKER_MIN_BYTES;
  }

  /** The plan, or the AppError that refuses the Bundle. */
  prepare(input: PlanInput): Promise<BundlePlan> {
    const size = input.body instanceof Uint8Array ? input.body.byteLength : typeof input.body === 'string' ? input.body.length : 0;
    if (this.options.databasePath === ':memory:' || size === 0 || size < this.workerMinBytes) {
      try {
        return Promise.resolve(planBundle(input, this.lookups));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise<BundlePlan>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      const request: WorkerRequest = { id, input };
      this.ensureWorker().postMessage(request);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(this.options.databasePath);
    worker.unref();
    worker.on('message', (response: WorkerResponse) => {
      const waiter = this.pending.get(response.id);
      if (!waiter) return;
      this.pending.delete(response.id);
      if (response.ok) waiter.resolve(response.plan);
      else if ('error' in response) waiter.reject(fromPlanError(response.error));
      else waiter.reject(new Error(`Bundle preparation failed: ${response.crash}`));
    });
    const fail = (err: unknown) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.pending.values()) waiter.reject(err instanceof Error ? err : new Error(`The import worker stopped (${String(err)}).`));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The import worker exited with code ${code}.`)));
    this.worker = worker;
    return worker;
  }
}

function startWorker(databasePath: string): Worker {
  const here = import.meta.url;
  const workerData = { databasePath };
  if (!here.endsWith('.ts')) return new Worker(new URL('./bundle-worker.js', here), { workerData });
  const tsxApi = path.join(path.dirname(createRequire(here).resolve('tsx/package.json')), 'dist/esm/api/index.mjs');
  const entry = new URL('./bundle-worker.ts', here).href;
  const boot = `import(${JSON.stringify(pathToFileURL(tsxApi).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
