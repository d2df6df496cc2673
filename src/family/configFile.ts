/**
 * Reading a model's configuration file (config.json, config.yaml, a RepCodec YAML) from disk:
 * only a regular file of bounded size. Real configurations are a few kB; the bound and the
 * regular-file check keep a FIFO from hanging the load and /dev/zero or a huge file from being
 * read. Parsing them (browser-safe) is configText.ts.
 */
import { MAX_CONFIG_BYTES } from "./modelSource.js";
import { readRegularText, type FileProblem } from "../files/regularFile.js";

export { MAX_CONFIG_BYTES };

/** The text of the configuration file `path`; `problem` builds the caller's typed error. */
export function readConfigFile(path: string, problem: FileProblem): string {
  return readRegularText(path, MAX_CONFIG_BYTES, problem);
}
