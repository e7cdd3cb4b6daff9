/**
 * electron-builder afterPack hook: flips the Electron fuses of the packaged binary before it is
 * signed, so the shipped app cannot be turned into a generic Node runtime or inspected.
 * Configured as `afterPack` in electron-builder.yml.
 */
import path from 'node:path';
import fuses from '@electron/fuses';

const { flipFuses, FuseV1Options, FuseVersion } = fuses;

/** The fuse settings, exported so a unit test can pin them without an Electron binary. */
export function fuseConfig(platform) {
  return {
    version: FuseVersion.V1,
    // Re-sign ad hoc on Apple silicon after flipping (the real signature comes later).
    resetAdHocDarwinSignature: platform === 'darwin',
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

/** Where electron-builder put the Electron executable for this platform. */
export function electronBinaryPath(context) {
  const platform = context.electronPlatformName;
  const { productFilename } = context.packager.appInfo;
  if (platform === 'darwin' || platform === 'mas') return path.join(context.appOutDir, `${productFilename}.app`);
  if (platform === 'win32') return path.join(context.appOutDir, `${productFilename}.exe`);
  return path.join(context.appOutDir, context.packager.executableName);
}

export default async function afterPack(context) {
  const binary = electronBinaryPath(context);
  await flipFuses(binary, fuseConfig(context.electronPlatformName));
  process.stdout.write(`  • fuses flipped  file=${binary}\n`);
}
