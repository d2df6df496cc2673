/**
 * Reading a model's configuration file (config.json, config.yaml, a RepCodec YAML) from disk:
 * only a regular file of bounded size. Real configurations are a few kB; the bound and the
 * regular-file check keep a FIFO from hanging the load and /dev/zero or a huge file from being
 * read. Parsing them (browser-safe) is configText.ts.
 */
import { readRegularText, type FileProblem } from "./regularFile.js";

/** The largest configuration file read: hundreds of times any real one. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** The text of the configuration file `path`; `problem` builds the caller's typed error. */
export function readConfigFile(path: string, problem: FileProblem): string {
  return readRegularText(path, MAX_CONFIG_BYTES, problem);
}
