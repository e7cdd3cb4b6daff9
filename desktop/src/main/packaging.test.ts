/**
 * The packaging configuration: electron-builder.yml validates against the schema electron-builder
 * publishes, keeps the security-relevant values, and the afterPack hook flips the right fuses.
 * No Electron binary and no installer build needed.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const desktopDir = path.join(repoRoot, 'desktop');
// js-yaml arrives with electron-builder (no types of its own): only `load` is used.
const yaml = require('js-yaml') as { load(text: string): unknown };

type BuilderConfig = Record<string, unknown> & {
  directories: Record<string, string>;
  win: Record<string, unknown>;
  msi: Record<string, unknown>;
  mac: Record<string, unknown>;
  linux: Record<string, unknown>;
  deb: Record<string, unknown>;
  rpm: Record<string, unknown>;
  publish: Record<string, unknown>;
};

const config = yaml.load(fs.readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const schema = JSON.parse(fs.readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as Record<string, unknown>;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

interface PackageScript {
  withSigningFromEnv(config: BuilderConfig, env: Record<string, string | undefined>): BuilderConfig;
}
interface AfterPackHook {
  fuseConfig(platform: string): Record<string, unknown>;
  electronBinaryPath(context: { electronPlatformName: string; appOutDir: string; packager: { appInfo: { productFilename: string }; executableName: string } }): string;
}
const packageScript = (await import(pathToFileURL(path.join(desktopDir, 'build/package.mjs')).href)) as PackageScript;
const afterPack = (await import(pathToFileURL(path.join(desktopDir, 'build/after-pack.mjs')).href)) as AfterPackHook;

describe('electron-builder.yml', () => {
  it('validates against electron-builder\'s published configuration schema', () => {
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check is real: a misspelt key fails it', () => {
    expect(validate({ ...config, msi: { ...config.msi, upgradCode: 'x' } })).toBe(false);
  });

  it('names the app and ships only the bundled dist in an asar', () => {
    expect(config).toMatchObject({
      appId: 'org.carebridge.desktop',
      productName: 'Carebridge',
      asar: true,
      directories: { app: 'desktop', output: 'desktop/release', buildResources: 'desktop/build' },
      extraMetadata: { main: 'dist/main/index.cjs' },
      protocols: [{ schemes: ['carebridge'] }],
    });
    expect(config.files).toEqual(expect.arrayContaining(['dist/**/*', '!node_modules/**/*']));
  });

  it('pins the Electron version the desktop package is built and typed against', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(desktopDir, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(config.electronVersion).toBe(pkg.devDependencies.electron);
  });

  it('points every file it references at something that exists', () => {
    for (const file of [
      config.afterPack,
      config.mac.entitlements,
      config.mac.entitlementsInherit,
      config.deb.afterInstall,
      config.rpm.afterInstall,
      config.linux.icon,
    ]) {
      expect(fs.existsSync(path.join(repoRoot, String(file))), String(file)).toBe(true);
    }
  });

  it('builds AppImage, deb and rpm with dependencies and the setuid chrome-sandbox', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(config.deb.depends).toEqual(expect.arrayContaining(['libnss3', 'libsecret-1-0']));
    expect(config.rpm.depends).toEqual(expect.arrayContaining(['nss', 'libsecret']));
    const script = fs.readFileSync(path.join(repoRoot, String(config.deb.afterInstall)), 'utf8');
    expect(script).toContain("chmod 4755 \"$APP_DIR/chrome-sandbox\"");
    expect(script).toContain("chown root:root \"$APP_DIR/chrome-sandbox\"");
  });

  it('builds NSIS and a per-machine MSI with a fixed upgrade code', () => {
    expect(config.win.target).toEqual(['nsis', 'msi']);
    expect(config.msi.perMachine).toBe(true);
    expect(config.msi.upgradeCode).toBe('6f1c2d3e-8a4b-4c5d-9e6f-7a8b9c0d1e2f');
  });

  it('signs macOS builds with the hardened runtime, entitlements and notarization', () => {
    expect(config.mac).toMatchObject({ target: ['dmg', 'zip'], hardenedRuntime: true, notarize: true });
    const entitlements = fs.readFileSync(path.join(repoRoot, String(config.mac.entitlements)), 'utf8');
    expect(entitlements).toContain('com.apple.security.cs.allow-jit');
    // Nothing that would undo the hardened runtime.
    expect(entitlements).not.toContain('disable-library-validation');
    expect(entitlements).not.toContain('allow-unsigned-executable-memory');
    expect(entitlements).not.toContain('allow-dyld-environment-variables');
  });

  it('publishes to the Carebridge server with the generic provider', () => {
    expect(config.publish).toEqual({ provider: 'generic', url: '${env.CAREBRIDGE_UPDATE_URL}', channel: 'latest' });
  });
});

describe('Windows signing from the environment', () => {
  const azureEnv = {
    AZURE_TRUSTED_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net',
    AZURE_TRUSTED_SIGNING_ACCOUNT: 'carebridge-signing',
    AZURE_TRUSTED_SIGNING_PROFILE: 'carebridge-public',
    AZURE_TRUSTED_SIGNING_PUBLISHER: 'CN=Carebridge Contributors',
  };

  it('adds azureSignOptions when all four variables are set, and the result still validates', () => {
    const signed = packageScript.withSigningFromEnv(config, azureEnv);
    expect(signed.win.azureSignOptions).toEqual({
      endpoint: 'https://weu.codesigning.azure.net',
      codeSigningAccountName: 'carebridge-signing',
      certificateProfileName: 'carebridge-public',
      publisherName: 'CN=Carebridge Contributors',
    });
    expect(signed.win.signtoolOptions).toBeUndefined();
    expect(validate(signed)).toBe(true);
  });

  it('leaves the configuration unsigned when any variable is missing', () => {
    expect(packageScript.withSigningFromEnv(config, { ...azureEnv, AZURE_TRUSTED_SIGNING_PROFILE: undefined })).toBe(config);
    expect(packageScript.withSigningFromEnv(config, {})).toBe(config);
  });
});

describe('afterPack fuses', () => {
  it('flips every security fuse the checklist asks for', () => {
    expect(afterPack.fuseConfig('linux')).toEqual({
      version: FuseVersion.V1,
      resetAdHocDarwinSignature: false,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    });
    expect(afterPack.fuseConfig('darwin').resetAdHocDarwinSignature).toBe(true);
  });

  it('finds the packaged executable on each platform', () => {
    const context = (electronPlatformName: string) => ({
      electronPlatformName,
      appOutDir: '/out',
      packager: { appInfo: { productFilename: 'Carebridge' }, executableName: 'carebridge' },
    });
    expect(afterPack.electronBinaryPath(context('darwin'))).toBe(path.join('/out', 'Carebridge.app'));
    expect(afterPack.electronBinaryPath(context('win32'))).toBe(path.join('/out', 'Carebridge.exe'));
    expect(afterPack.electronBinaryPath(context('linux'))).toBe(path.join('/out', 'carebridge'));
  });
});
