/**
 * A SpeechTokenizer from its files' contents, on any runtime backend: Node's loader reads them
 * from disk (family.ts), a page from downloaded bytes (web/). The release facts are releases.ts.
 */
import type { Checkpoint } from "../../checkpoint/parseCheckpoint.js";
import { requireExactMode } from "../../family/exactOnly.js";
import type { FamilyLoadOptions } from "../../family/types.js";
import type { RuntimeBackend } from "../../runtime/backend.js";
import { SpeechTokenizerCodec } from "./codecModel.js";
import { parseConfigText } from "./config.js";
import { checkConfigFitsCheckpoint } from "./configFitsCheckpoint.js";
import { importWeights } from "./weights.js";

export { checkpointName, SPEECHTOKENIZER_CHECKPOINTS, SPEECHTOKENIZER_CONFIG, SPEECHTOKENIZER_MODELS } from "./releases.js";

/**
 * config.json's text (`configName` names it in errors) and the parsed checkpoint: weights
 * imported and checked, the encoder's sessions opened.
 */
export async function openSpeechTokenizer(
  configText: string,
  configName: string,
  checkpoint: Checkpoint,
  source: string,
  options: FamilyLoadOptions,
  backend: RuntimeBackend,
): Promise<SpeechTokenizerCodec> {
  requireExactMode(options.mode, source, "SpeechTokenizer");
  const config = parseConfigText(configText, configName);
  const dict = checkpoint.stateDict();
  checkConfigFitsCheckpoint(config, dict, configName, checkpoint.path);
  const weights = importWeights(dict, config, checkpoint.path);
  return new SpeechTokenizerCodec(backend, weights, source, options).open();
}
