/**
 * Per-machine configuration: which server this installation talks to, the update channel, whether
 * updates are on, and extra hosts links may open in the browser. Runtime: main (node).
 *
 * Sources, highest first: the `--server-url=` flag, the `CAREBRIDGE_SERVER_URL` (and
 * `CAREBRIDGE_UPDATE_CHANNEL`, `CAREBRIDGE_UPDATES`) environment variables, then the first config
 * file that exists: the machine-wide one IT deploys, then one in the user-data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const hostPattern = z
  .string()
  .max(253)
  .regex(/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i, 'a host name such as docs.example.org or *.example.org');

export const updateChannelSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a channel name such as latest, beta or pilot');

/** A server address: http(s), no credentials, query or fragment; a trailing slash is dropped. */
export const serverUrlSchema = z
  .url({ protocol: /^https?$/, error: 'an http:// or https:// address' })
  .max(500)
  .refine((value) => {
    if (!URL.canParse(value)) return true; // already reported by z.url
    const url = new URL(value);
    return !url.username && !url.password && !url.search && !url.hash;
  }, 'an address without credentials, query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

export const desktopConfigFileSchema = z.strictObject({
  serverUrl: serverUrlSchema.optional(),
  updateChannel: updateChannelSchema.optional(),
  updatesEnabled: z.boolean().optional(),
  externalAllowlist: z.array(hostPattern).max(200).optional(),
});
export type DesktopConfigFile = z.infer<typeof desktopConfigFileSchema>;

export interface ResolvedConfig {
  serverUrl: string | null;
  updateChannel: string;
  updatesEnabled: boolean;
  externalAllowlist: string[];
  /** Where each value came from, for the log and the IT guide's troubleshooting section. */
  sources: { serverUrl: 'flag' | 'env' | 'file' | 'none'; file: string | null };
  /** Values that were ignored, one clear line each (logged at start). */
  problems: string[];
}

export interface ConfigInputs {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Candidate config files in order, with their contents (null when the file does not exist). */
  files: ReadonlyArray<{ path: string; content: string | null }>;
}

/** The machine-wide config file for a platform, then the per-user one. */
export function configFilePaths(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>, userDataDir: string): string[] {
  const machine =
    platform === 'win32'
      ? path.win32.join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', 'Carebridge', 'desktop.json')
      : platform === 'darwin'
        ? '/Library/Application Support/Carebridge/desktop.json'
        : '/etc/carebridge/desktop.json';
  return [machine, path.join(userDataDir, 'desktop.json')];
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
    if (arg === `--${name}` && i + 1 < argv.length) return argv[i + 1];
  }
  return undefined;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}` : 'invalid';
}

export function resolveDesktopConfig({ argv, env, files }: ConfigInputs): ResolvedConfig {
  const problems: string[] = [];
  let file: DesktopConfigFile = {};
  let fileUsed: string | null = null;
  for (const candidate of files) {
    if (candidate.content === null) continue;
    let json: unknown;
    try {
      json = JSON.parse(candidate.content);
    } catch {
      problems.push(`Ignored ${candidate.path}: not valid JSON.`);
      continue;
    }
    const parsed = desktopConfigFileSchema.safeParse(json);
    if (!parsed.success) {
      problems.push(`Ignored ${candidate.path}: ${firstIssue(parsed.error)}.`);
      continue;
    }
    file = parsed.data;
    fileUsed = candidate.path;
    break;
  }

  let serverUrl: string | null = file.serverUrl ?? null;
  let source: ResolvedConfig['sources']['serverUrl'] = serverUrl ? 'file' : 'none';
  for (const [raw, from, label] of [
    [env.CAREBRIDGE_SERVER_URL, 'env', 'CAREBRIDGE_SERVER_URL'],
    [flagValue(argv, 'server-url'), 'flag', '--server-url'],
  ] as const) {
    if (raw === undefined || raw === '') continue;
    const parsed = serverUrlSchema.safeParse(raw);
    if (parsed.success) {
      serverUrl = parsed.data;
      source = from;
    } else {
      problems.push(`Ignored ${label}: ${firstIssue(parsed.error)}.`);
    }
  }

  if (serverUrl) {
    const { protocol, hostname } = new URL(serverUrl);
    if (protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(hostname)) {
      problems.push(`The server ${serverUrl} uses plain http: the app blocks that for any host but this machine; use https.`);
    }
  }

  let updateChannel = file.updateChannel ?? 'latest';
  if (env.CAREBRIDGE_UPDATE_CHANNEL) {
    const parsed = updateChannelSchema.safeParse(env.CAREBRIDGE_UPDATE_CHANNEL);
    if (parsed.success) updateChannel = parsed.data;
    else problems.push(`Ignored CAREBRIDGE_UPDATE_CHANNEL: ${firstIssue(parsed.error)}.`);
  }

  let updatesEnabled = file.updatesEnabled ?? true;
  // The environment may turn updates off, never back on against the machine file.
  if (env.CAREBRIDGE_UPDATES !== undefined && /^(0|false|off|no)$/i.test(env.CAREBRIDGE_UPDATES)) updatesEnabled = false;

  return {
    serverUrl,
    updateChannel,
    updatesEnabled,
    externalAllowlist: (file.externalAllowlist ?? []).map((h) => h.toLowerCase()),
    sources: { serverUrl: source, file: fileUsed },
    problems,
  };
}

/** Reads the candidate files from disk (a missing or unreadable file counts as absent). */
export function readConfigFiles(paths: readonly string[], read: (p: string) => string = (p) => fs.readFileSync(p, 'utf8')): ConfigInputs['files'] {
  return paths.map((p) => {
    try {
      return { path: p, content: read(p) };
    } catch {
      return { path: p, content: null };
    }
  });
}
