/** Reading a SpeechTokenizer config.json from disk (parsed by config.ts). */
import { readFile } from "node:fs/promises";
import { ModelConfigError } from "../../errors.js";
import { parseConfigText, type SpeechTokenizerConfig } from "./config.js";

/** config.json's text, or ModelConfigError naming the file. */
export async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new ModelConfigError(path, `cannot read it: ${(error as Error).message}`, { cause: error });
  }
}

export async function readConfig(path: string): Promise<SpeechTokenizerConfig> {
  return parseConfigText(await readConfigText(path), path);
}
