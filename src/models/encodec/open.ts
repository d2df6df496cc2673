/**
 * An EnCodec model from its checkpoint's parsed contents (and, optionally, a config.json's text),
 * on any runtime backend: recognised, every tensor checked, graphs built, sessions opened.
 */
import type { Checkpoint } from "../../checkpoint/parseCheckpoint.js";
import { ModelConfigError } from "../../errors.js";
import { requireExactMode } from "../../family/exactOnly.js";
import type { FamilyLoadOptions } from "../../family/types.js";
import type { RuntimeBackend } from "../../runtime/backend.js";
import type { EncodecConfig } from "./config.js";
import { parseEncodecConfigJson } from "./configJson.js";
import { EncodecModel, type EncodecLoadOptions } from "./model.js";
import { recogniseConfig } from "./recognise.js";
import { encodecWeights } from "./weights.js";

/** A config.json's text (`configName` names it in errors) → its constructor facts. */
function factsOf(configText: string, configName: string) {
  let raw: unknown;
  try {
    raw = JSON.parse(configText);
  } catch (error) {
    throw new ModelConfigError(configName, `not JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  return parseEncodecConfigJson(raw, configName);
}

/** The checkpoint's config: from its tensors and the config.json when one is given, else the release it matches. */
export function encodecConfigOf(checkpoint: Checkpoint, config?: { text: string; name: string }): EncodecConfig {
  return recogniseConfig(checkpoint.stateDict(), checkpoint.path, config === undefined ? undefined : factsOf(config.text, config.name));
}

export async function openEncodec(
  checkpoint: Checkpoint,
  config: { text: string; name: string } | undefined,
  source: string,
  options: FamilyLoadOptions & EncodecLoadOptions,
  backend: RuntimeBackend,
): Promise<EncodecModel> {
  requireExactMode(options.mode, source, "EnCodec");
  const modelConfig = encodecConfigOf(checkpoint, config);
  const weights = encodecWeights(modelConfig, checkpoint.stateDict(), checkpoint.path);
  return EncodecModel.create(source, weights, options, backend);
}
