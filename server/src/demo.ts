/**
 * Demo mode: on an empty database, seed the synthetic patients (SEED_PATIENTS, default 500) and
 * make sure the demo accounts exist; on an empty insights event log, 90 days of synthetic history
 * for the demo agents (marked synthetic). Does nothing when demo mode is off.
 */
import type { Composition } from './composition.js';
import { seedSyntheticData } from './synthetic/index.js';
import { demoEmail } from './accounts/index.js';

export async function prepareDemoData(ctx: Pick<Composition, 'config' | 'database' | 'logger' | 'accounts' | 'agentProfiles' | 'routing' | 'insights'>): Promise<void> {
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
  await seedInsightsHistory(ctx);
}

/** The demo agents and the queues their routing profiles serve, then the history (only into an empty event log). */
async function seedInsightsHistory(ctx: Pick<Composition, 'config' | 'logger' | 'accounts' | 'agentProfiles' | 'routing' | 'insights'>): Promise<void> {
  const queues = ctx.routing.config.queues;
  const agents = [1, 2, 3, 4, 5].flatMap((n) => {
    const user = ctx.accounts.accounts.repository.findByEmail(demoEmail(`agent${n}`));
    if (!user) return [];
    const skills = new Set<string>(ctx.agentProfiles.get(user.id).skills);
    return [{ id: user.id, queues: queues.filter((q) => q.skills.every((s) => skills.has(s))).map((q) => q.id) }];
  });
  const started = Date.now();
  const events = await ctx.insights.seedDemoHistory({ seed: ctx.config.SEED, agents });
  if (events > 0) ctx.logger.info({ events, ms: Date.now() - started }, 'insights: 90 days of synthetic history seeded');
}
