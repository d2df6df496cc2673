/**
 * A FunCodec model from its two files' contents, on any runtime backend: Node's loader reads
 * them from disk (family.ts), a page from downloaded bytes (web/).
 */
import type { Checkpoint } from "../../checkpoint/parseCheckpoint.js";
import { requireExactMode } from "../../family/exactOnly.js";
import type { FamilyLoadOptions } from "../../family/types.js";
import type { RuntimeBackend } from "../../runtime/backend.js";
import { parseFunCodecConfig } from "./config.js";
import { FunCodecModel, type FunCodecLoadOptions } from "./model.js";
import { funcodecWeights } from "./weights.js";

export { FUNCODEC_CHECKPOINT, FUNCODEC_CONFIG } from "./files.js";

/**
 * config.yaml's text (parsed as YAML 1.1; `configName` names it in errors) and model.pth's
 * parsed checkpoint: generator tensors checked, graphs built, sessions opened.
 */
export async function openFunCodec(
  configText: string,
  configName: string,
  checkpoint: Checkpoint,
  source: string,
  options: FamilyLoadOptions & FunCodecLoadOptions,
  backend: RuntimeBackend,
): Promise<FunCodecModel> {
  requireExactMode(options.mode, source, "FunCodec");
  const config = parseFunCodecConfig(configText, configName);
  const weights = funcodecWeights(config, checkpoint.stateDict(), checkpoint.path);
  return FunCodecModel.create(source, config, weights, options, backend);
}
