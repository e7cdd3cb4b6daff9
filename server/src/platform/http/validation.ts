import type { z } from 'zod';
import { validationFailed } from '../errors.js';

/** Parses input against a schema; failures become a 400 naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: i.path.map(String).join('.') || where,
    message: i.message,
    ...(i.code === 'unrecognized_keys' ? { keys: (i as { keys?: string[] }).keys } : {}),
  }));
  const first = issues[0]!;
  const message =
    first.path === where ? `Invalid ${where}: ${first.message}` : `Invalid ${where}: ${first.path}: ${first.message}`;
  throw validationFailed(message, { issues });
}
