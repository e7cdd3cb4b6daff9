/** Deterministic synthetic patients and clinic data. (Being built.) */
import type { DatabaseHandle } from '../platform/db/index.js';

export interface SeedOptions {
  patients: number;
  seed: number;
  /** Demographics, conditions and the observations and procedures care gaps depend on. */
  lean?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface SeedSummary {
  patients: number;
  resources: number;
}

export async function seedSyntheticData(_database: DatabaseHandle, options: SeedOptions): Promise<SeedSummary> {
  return { patients: options.patients * 0, resources: 0 };
}
