/**
 * Demo mode: on an empty database, seed the synthetic patients (SEED_PATIENTS, default 500) and
 * make sure the demo accounts exist. Does nothing when demo mode is off.
 */
import type { Composition } from './composition.js';
import { seedSyntheticData } from './synthetic/index.js';

export async function prepareDemoData(ctx: Pick<Composition, 'config' | 'database' | 'logger' | 'accounts'>): Promise<void> {
  if (!ctx.config.demoMode) return;
  const existing = ctx.database.sqlite
    .prepare("SELECT COUNT(*) AS n FROM resources WHERE resource_type = 'Patient'")
    .get() as { n: number };
  if (existing.n === 0 && ctx.config.SEED_PATIENTS > 0) {
    const started = Date.now();
    ctx.logger.info({ patients: ctx.config.SEED_PATIENTS }, 'empty database: seeding synthetic demo data');
    const summary = await seedSyntheticData(ctx.database, { patients: ctx.config.SEED_PATIENTS, seed: ctx.config.SEED });
    ctx.logger.info({ ...summary, ms: Date.now() - started }, 'synthetic demo data ready');
  }
  await ctx.accounts.ensureDemoAccounts();
}
