/** Writing a seeded random SpeechTokenizer (config.json + torch checkpoint) for tests and the benchmark. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeTorchCheckpoint } from "../../checkpoint/index.js";
import type { ModelFiles } from "../../family/types.js";
import { configJson } from "./config.js";
import { SPEECHTOKENIZER_CHECKPOINTS, SPEECHTOKENIZER_CONFIG } from "./releases.js";
import { randomModelConfig, randomStateDict } from "./randomModel.js";

export async function writeRandomSpeechTokenizer(dir: string, options: { seed: number; size: "tiny" | "released" }): Promise<ModelFiles> {
  const config = randomModelConfig(options.size);
  const checkpoint = SPEECHTOKENIZER_CHECKPOINTS[0]!;
  await mkdir(dir, { recursive: true });
  const files = { [SPEECHTOKENIZER_CONFIG]: join(dir, SPEECHTOKENIZER_CONFIG), [checkpoint]: join(dir, checkpoint) };
  await writeFile(files[SPEECHTOKENIZER_CONFIG]!, `${JSON.stringify(configJson(config), null, 4)}\n`);
  writeTorchCheckpoint(files[checkpoint]!, randomStateDict(config, options.seed));
  return files;
}
