import { z } from 'zod';

export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  database: z.object({ status: z.enum(['ok', 'error']), patients: z.number().int().optional(), message: z.string().optional() }),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;
