/**
 * The hub's derived-file cache (family/derivedFiles.ts): `<cache>/converted/`, digests from the
 * checksum records, file locks and atomic writes. The loaders pass it to the families.
 */
import type { DerivedFileCache } from "../family/derivedFiles.js";
import { temporaryPath, writeFileAtomic } from "../hub/atomicWrite.js";
import { convertedDir } from "../hub/cacheDir.js";
import { withFileLock } from "../hub/fileLock.js";
import { hubSettings, type HubOptions } from "../hub/options.js";
import { releasedDigest } from "../hub/releasedDigest.js";

export function hubDerivedFiles(options: HubOptions = {}): DerivedFileCache {
  const settings = hubSettings(options);
  return {
    dir: convertedDir(settings.cacheDir),
    policy: settings.convertedCache,
    digest: (path) => releasedDigest(path, settings.cacheDir),
    withLock: (path, work) => withFileLock(path, { pollMs: settings.download.lockPollMs }, () => work()),
    writeAtomic: writeFileAtomic,
    temporaryPath,
  };
}
