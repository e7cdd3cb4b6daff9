import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { decodeAuditKey } from './audit/key.js';

/** The repository root, for defaults that point at built files inside it. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^sqlite:.+/, 'must look like sqlite:<path> or sqlite::memory:')
    .default('sqlite:./data/carebridge.db'),
  PUBLIC_URL: z.url().optional(),
  DEMO_MODE: booleanFlag.optional(),
  SEED_PATIENTS: z.coerce.number().int().min(0).max(10_000_000).default(500),
  SEED: z.coerce.number().int().default(42),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The audit checkpoint key (hex or base64, at least 32 bytes); or AUDIT_KEY_FILE. One is required in production. */
  AUDIT_KEY: z
    .string()
    .superRefine((value, ctx) => {
      const key = decodeAuditKey(value);
      if (typeof key === 'string') ctx.addIssue({ code: 'custom', message: key });
    })
    .optional(),
  /** A file holding the audit checkpoint key, mode 0600 or stricter (checked at start). */
  AUDIT_KEY_FILE: z.string().min(1).optional(),
  /** Access-token lifetime; a live socket ends with its token (the client refreshes and reconnects). */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(2).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(12 * 3600),
  /** Sign-in throttling (platform/auth/login-throttle.ts): failures of one account from one address before backoff. */
  LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS: z.coerce.number().int().min(1).max(1000).default(5),
  /** Failures from one address over all accounts before backoff (spraying). */
  LOGIN_FREE_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Failures of one account from addresses it never signed in from before backoff there (trusted addresses are exempt). */
  LOGIN_FREE_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).max(100_000).default(10),
  /** The first wait past a budget; it doubles with each further failure. */
  LOGIN_BACKOFF_BASE_SECONDS: z.coerce.number().min(0.001).max(3600).default(1),
  LOGIN_BACKOFF_MAX_SECONDS: z.coerce.number().min(1).max(86_400).default(900),
  /** Failures counted against a key are forgotten after this long without a new one. */
  LOGIN_FAILURE_MEMORY_SECONDS: z.coerce.number().int().min(1).max(30 * 86_400).default(3600),
  /** An address where an account signed in stays trusted for it this many days. */
  LOGIN_TRUSTED_ADDRESS_DAYS: z.coerce.number().min(0).max(365).default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The largest request body at all: admins' FHIR writes and Bundle imports, and /api. */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(5 * 1024 * 1024),
  /** The largest FHIR resource a patient may send (Communication, QuestionnaireResponse). */
  FHIR_PATIENT_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(256 * 1024),
  /** The largest FHIR resource a staff member other than an admin may send (Bundles: MAX_BODY_BYTES). */
  FHIR_STAFF_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(2 * 1024 * 1024),
  SMTP_URL: z.string().optional(),
  /** Extra origins allowed to call the API from a browser (comma-separated); app://desk always is. */
  CORS_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^(https?:\/\/[^/\s]+|app:\/\/desk)$/, 'must be a comma-separated list of origins like https://clinic.example')))
    .default([]),
  /** The built desktop renderer served at /desk. */
  DESK_DIR: z.string().min(1).default(path.join(REPO_ROOT, 'desktop/dist/renderer')),
  /** The built patient portal (served at /portal/) and chat widget (served at /widget.js). */
  PORTAL_DIR: z.string().min(1).default(path.join(REPO_ROOT, 'server/portal/dist')),
  /**
   * Clinic websites that embed the chat widget (comma-separated origins), allowed to call the
   * visitor chat endpoints and the /patient channel from the browser; `*` allows any site.
   */
  WIDGET_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^(\*|https?:\/\/[^/\s*]+)$/, 'must be * or a comma-separated list of origins like https://clinic.example')))
    .default([]),
  /** Knowledge articles (Markdown with YAML front matter) imported at start; `none` imports nothing. */
  KNOWLEDGE_DIR: z.string().min(1).default(path.join(REPO_ROOT, 'knowledge-base')),
  /** The medical synonyms search widens queries with (health-bot/vocabulary/README.md); `none` for none. */
  MEDICAL_SYNONYMS_FILE: z.string().min(1).default(path.join(REPO_ROOT, 'health-bot/vocabulary/synonyms.json')),
  /** Desktop update files, served at /updates/<channel>/ for electron-updater's generic provider. */
  UPDATES_DIR: z.string().min(1).default('./data/updates'),
  /**
   * Socket event budgets on /patient (patients and chat visitors) are counted per user or visitor
   * token and also per client address, at this many times each limit, so one address cannot flood
   * by minting visitor tokens while a clinic behind one NAT still fits. 0 turns the address budget
   * off (the swarm benchmark, which connects thousands of sockets from loopback).
   */
  SOCKET_ADDRESS_BUDGET_FACTOR: z.coerce.number().min(0).max(10_000).default(10),
  /** How long a staff member whose last live connection dropped keeps their presence before going offline. */
  PRESENCE_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  /** How long an agent has to accept a chat offer before it goes to the next agent (routing default: 30 s). */
  ROUTING_OFFER_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).optional(),
  /** Ignore the queues' business hours: every queue is open around the clock. Default: on in demo mode. */
  ROUTING_ALWAYS_OPEN: booleanFlag.optional(),
  /** A JSON file with the routing configuration (queues, business hours, overflow); default: the six built-in queues. */
  ROUTING_CONFIG: z.string().min(1).optional(),
  /** The agent scripts (YAML) imported at start; a changed file becomes the published version. */
  AGENT_SCRIPTS_DIR: z.string().min(1).default(path.join(REPO_ROOT, 'agent-scripts')),
  /** The built-in health-bot scenarios (Azure Health Bot exports, `strings/<locale>.json`) imported at start; `none` imports nothing. */
  BOT_SCENARIOS_DIR: z.string().min(1).default(path.join(REPO_ROOT, 'health-bot/scenarios')),
  /**
   * The bot's data connections beyond Carebridge's own API (always `carebridge`, at PUBLIC_URL): JSON
   * `{ "<name>": { "baseUrl": "https://…", "timeoutMs": 5000 } }`. A dataConnection step may call these
   * bases and nothing else.
   */
  BOT_DATA_CONNECTIONS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return {};
      try {
        const parsed = z.record(z.string().regex(/^[\w-]{1,50}$/), z.strictObject({ baseUrl: z.url(), timeoutMs: z.number().int().min(100).max(30_000).optional() })).parse(JSON.parse(text));
        return parsed;
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `BOT_DATA_CONNECTIONS must be JSON { name: { baseUrl, timeoutMs? } }: ${err instanceof Error ? err.message : String(err)}` });
        return z.NEVER;
      }
    }),
  /** Smart assist's suggestions for each patient message with staff (`off`: none, and no red-flag banner). */
  SMART_ASSIST: z.enum(['on', 'off']).default('on'),
  /** The share of one core smart assist may use: after a computation of d ms it waits d × (1/share − 1) before the next. */
  SMART_ASSIST_CPU_SHARE: z.coerce.number().min(0.05).max(1).default(0.1),
  /** Channel-API (Direct Line) bot conversations one client address may start per minute. */
  BOT_STARTS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  /** A JSON file with the conversation settings (dispositions, quick replies, …); default: built-in settings. */
  CONVERSATIONS_CONFIG: z.string().min(1).optional(),
  /** A JSON file with the follow-up survey after a chat (contracts/surveys.ts); default: the built-in survey. */
  SURVEY_CONFIG: z.string().min(1).optional(),
  /** A JSON file with the chat widget's configuration (contracts/widget.ts: colour, title, greeting, pre-chat form); default: built-in. */
  WIDGET_CONFIG: z.string().min(1).optional(),
  /** How long a hold on an appointment slot lasts while the patient or agent confirms (minutes). */
  SCHEDULING_HOLD_MINUTES: z.coerce.number().int().min(1).max(60).default(5),
  /** The clinic's time zone (IANA): day boundaries of availability searches and how times are worded. */
  CLINIC_TIME_ZONE: z
    .string()
    .min(1)
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as America/Denver')
    .default('America/Denver'),
  /** Live sentiment of patient messages (on by default); off for a same-run comparison of delivery (`bench:swarm`). */
  SENTIMENT_ENABLED: booleanFlag.default(true),
  /** Sentiment: a conversation at or below this point of the 7-point scale alerts its agent and the supervisors (1 very negative … 6 slightly positive). */
  SENTIMENT_ALERT_SCALE: z.coerce.number().int().min(1).max(6).default(2),
  /** Azure AI Language (Text Analytics v3.1) for sentiment, used when both are set; the local model scores first either way. */
  AZURE_LANGUAGE_ENDPOINT: z
    .url()
    .refine((value) => {
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && (/^127\./.test(url.hostname) || url.hostname === 'localhost' || url.hostname === '[::1]'));
    }, 'must be https:// (plain http only to this machine)')
    .optional(),
  AZURE_LANGUAGE_KEY: z.string().min(1).optional(),
  /** How long one Azure sentiment request may take before the local score stays (ms). */
  SENTIMENT_AZURE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends Omit<RawConfig, 'DEMO_MODE' | 'ROUTING_ALWAYS_OPEN'> {
  /** Demo accounts and synthetic data: on by default, off in production unless DEMO_MODE=1. */
  demoMode: boolean;
  /** Set, or else on in demo mode (a demo at night would otherwise only say "closed"). */
  ROUTING_ALWAYS_OPEN: boolean;
  /** Path of the SQLite file, or ':memory:'. */
  databasePath: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; a bad value throws one line that names the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const shown = relevant[name] === undefined || /SECRET|KEY|PASSWORD/.test(name) ? '' : ` (got "${relevant[name]}")`;
    throw new ConfigError(`Invalid environment variable ${name}: ${issue.message}${shown}`);
  }
  const { DEMO_MODE, ROUTING_ALWAYS_OPEN, ...rest } = parsed.data;
  const demoMode = DEMO_MODE ?? rest.NODE_ENV !== 'production';
  return { ...rest, demoMode, ROUTING_ALWAYS_OPEN: ROUTING_ALWAYS_OPEN ?? demoMode, databasePath: rest.DATABASE_URL.slice('sqlite:'.length) };
}

/**
 * Reads a JSON configuration file named by an environment variable (`ROUTING_CONFIG`,
 * `CONVERSATIONS_CONFIG`, `WIDGET_CONFIG`) and validates it; a missing, malformed or invalid file throws one line that
 * names the variable, like a bad variable does.
 */
export function loadJsonConfigFile<S extends z.ZodType>(variable: string, file: string, schema: S): z.infer<S> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Invalid environment variable ${variable}: cannot read "${file}" (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Invalid environment variable ${variable}: "${file}" is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new ConfigError(`Invalid environment variable ${variable}: "${file}" ${where}${issue.message}`);
  }
  return parsed.data as z.infer<S>;
}
