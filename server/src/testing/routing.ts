/** Routing configurations for tests: every queue closed now, with a known next opening. */
import fs from 'node:fs';
import path from 'node:path';
import type { RoutingConfigInput } from '../contracts/routing.js';
import { DEFAULT_ROUTING_CONFIG_INPUT } from '../routing/index.js';

const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The default queues with hours of 09:00–17:00 UTC every day, today and tomorrow (UTC) holidays:
 * closed whatever the time, opening the day after tomorrow at 09:00 UTC (`nextOpenAt`).
 * Written to `dir` for `ROUTING_CONFIG`.
 */
export function writeClosedRoutingConfig(dir: string, now = Date.now()): { file: string; nextOpenAt: string } {
  const day = 86_400_000;
  const window = [{ open: '09:00', close: '17:00' }];
  const hours = {
    timeZone: 'UTC',
    weekly: { mon: window, tue: window, wed: window, thu: window, fri: window, sat: window, sun: window },
    holidays: [utcDate(now), utcDate(now + day)],
  };
  const config: RoutingConfigInput = { ...DEFAULT_ROUTING_CONFIG_INPUT, queues: DEFAULT_ROUTING_CONFIG_INPUT.queues.map((q) => ({ ...q, businessHours: hours })) };
  const file = path.join(dir, 'routing-closed.json');
  fs.writeFileSync(file, JSON.stringify(config));
  return { file, nextOpenAt: `${utcDate(now + 2 * day)}T09:00:00.000Z` };
}
