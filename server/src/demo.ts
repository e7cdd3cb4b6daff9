/**
 * Demo mode: on an empty database, seed the synthetic patients and the demo accounts.
 * Filled in by the synthetic-data and accounts modules.
 */
import type { AppContext } from './app.js';

export async function prepareDemoData(_context: AppContext): Promise<void> {
  // Seeding and demo accounts are wired here (see synthetic/ and accounts/).
}
