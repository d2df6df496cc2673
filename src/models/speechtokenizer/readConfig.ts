/** Reading a SpeechTokenizer config.json from disk (parsed by config.ts). */
import { ModelConfigError } from "../../errors.js";
import { readConfigFile } from "../../family/configFile.js";
import { parseConfigText, type SpeechTokenizerConfig } from "./config.js";

/** config.json's text, or ModelConfigError naming the file (absent, not a regular file, or too large). */
export async function readConfigText(path: string): Promise<string> {
  return readConfigFile(path, (problem, cause) => new ModelConfigError(path, problem, cause === undefined ? {} : { cause }));
}

export async function readConfig(path: string): Promise<SpeechTokenizerConfig> {
  return parseConfigText(await readConfigText(path), path);
}
