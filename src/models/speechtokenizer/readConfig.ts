/** Reading a SpeechTokenizer config.json from disk (parsed by config.ts). */
import { readFile } from "node:fs/promises";
import { ModelConfigError } from "../../errors.js";
import { parseConfigText, type SpeechTokenizerConfig } from "./config.js";

export async function readConfig(path: string): Promise<SpeechTokenizerConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ModelConfigError(path, `cannot read it: ${(error as Error).message}`, { cause: error });
  }
  return parseConfigText(text, path);
}
