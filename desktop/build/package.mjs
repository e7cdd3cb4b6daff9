/**
 * Builds the installers: `npm run package -w @carebridge/desktop -- [electron-builder flags]`.
 * Runs electron-builder with ../electron-builder.yml and switches Windows signing to Azure Trusted
 * Signing when its environment variables are set (a YAML file cannot do that by itself:
 * electron-builder would always try Azure once `win.azureSignOptions` exists). Needs Node 22+ and
 * network (Electron and tool downloads); see desktop/README.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

export const AZURE_SIGNING_ENV = {
  endpoint: 'AZURE_TRUSTED_SIGNING_ENDPOINT',
  codeSigningAccountName: 'AZURE_TRUSTED_SIGNING_ACCOUNT',
  certificateProfileName: 'AZURE_TRUSTED_SIGNING_PROFILE',
  publisherName: 'AZURE_TRUSTED_SIGNING_PUBLISHER',
};

/** `win.azureSignOptions` from the environment, or null when any of the four is missing. */
export function azureSignOptionsFromEnv(env) {
  const options = {};
  for (const [key, name] of Object.entries(AZURE_SIGNING_ENV)) {
    const value = env[name];
    if (!value) return null;
    options[key] = value;
  }
  return options;
}

/** The configuration electron-builder gets: the YAML plus signing switched on by the environment. */
export function withSigningFromEnv(config, env) {
  const azure = azureSignOptionsFromEnv(env);
  if (!azure) return config;
  // signtool and Azure are exclusive: electron-builder takes one signing manager.
  const { signtoolOptions: _signtool, ...win } = config.win ?? {};
  return { ...config, win: { ...win, azureSignOptions: azure } };
}

export async function loadBuilderConfig() {
  const { load } = await import('js-yaml');
  return load(fs.readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { build } = await import('electron-builder');
  // Hook paths in the YAML are relative to the repository root.
  process.chdir(repoRoot);
  const config = withSigningFromEnv(await loadBuilderConfig(), process.env);
  const signing = config.win?.azureSignOptions ? 'Azure Trusted Signing' : 'unsigned on Windows unless CSC_LINK/WIN_CSC_LINK is set';
  process.stdout.write(`Packaging Carebridge (${signing})\n`);
  const args = process.argv.slice(2);
  const platforms = { '--linux': 'linux', '--win': 'win', '--mac': 'mac' };
  const chosen = args.filter((a) => a in platforms).map((a) => platforms[a]);
  const targets = chosen.length ? Object.fromEntries(chosen.map((p) => [p, []])) : {};
  await build({ projectDir: repoRoot, config, publish: args.includes('--publish') ? 'always' : 'never', ...targets });
}
