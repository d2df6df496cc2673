/**
 * `--model` and the flags that say how to load it: a registry name or a local path (any family),
 * or RepCodec's local files without a registry, `--model REPCODEC.pkl --feature_model WHISPER.pt
 * --layer N` (layer 1-based, as RepCodec counts; `--model_config_path YAML` checked against the
 * weights). --layer also picks another Whisper block for a RepCodec model by name or folder.
 */
import { existsSync, statSync } from "node:fs";
import type { ParseArgsConfig } from "node:util";
import { ModelNotFoundError, UsageError } from "../errors.js";
import type { FamilyLoadOptions, SpeechTokenizerModel } from "../family/types.js";
import type { RepCodecFamilyLoadOptions } from "../models/repcodec/family.js";
import { integerFlag, requireFlag, type FlagValues } from "./args.js";
import { loadLocalFiles } from "../family/loadLocal.js";

export const MODEL_FILE_FLAGS = {
  "feature-model": { type: "string" },
  layer: { type: "string" },
  "model-config-path": { type: "string" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

export const MODEL_FILE_FLAGS_HELP = `  --feature_model PT      RepCodec from local files: --model is RepCodec's trainer checkpoint (.pkl),
                          this is openai's Whisper checkpoint (.pt) its features come from
  --layer N               RepCodec: the Whisper block (1-based, as RepCodec counts) whose output is
                          tokenized (default: the release's for a model by name, else the last block)
  --model_config_path Y   RepCodec: a configuration YAML checked against the weights`;

function localFile(path: string, flag: string): string {
  if (!existsSync(path)) throw new ModelNotFoundError(path, `${flag}: no such file`);
  if (!statSync(path).isFile()) throw new UsageError(`${flag} ${path}: expected a file, got a folder`);
  return path;
}

/**
 * The model the flags name, and the RepCodec layer they chose (undefined: the model's default),
 * which changes tokens and so belongs in the output's provenance.
 */
export async function loadModelFlags(values: FlagValues, options: FamilyLoadOptions): Promise<{ model: SpeechTokenizerModel; layer?: number }> {
  const modelName = requireFlag(values, "model");
  const layer = integerFlag(values, "layer");
  const configPath = typeof values["model-config-path"] === "string" ? values["model-config-path"] : undefined;
  const repcodecOptions: RepCodecFamilyLoadOptions = { ...options, ...(layer === undefined ? {} : { layer }), ...(configPath === undefined ? {} : { configPath }) };
  const featureModel = values["feature-model"];
  let model: SpeechTokenizerModel;
  // The families' code loads here, when a model is loaded, not with the commands that name these
  // flags (a command's start goes on meanwhile: see prestartSessionThread).
  if (typeof featureModel === "string") {
    const files = { "repcodec.pkl": localFile(modelName, "--model"), "whisper.pt": localFile(featureModel, "--feature_model") };
    const { repcodecFamily } = await import("../models/repcodec/family.js");
    model = await loadLocalFiles(repcodecFamily, files, modelName, repcodecOptions);
  } else {
    const { load } = await import("../registry/load.js");
    model = await load(modelName, repcodecOptions);
    if ((layer !== undefined || configPath !== undefined) && model.family !== "repcodec") {
      await model.dispose();
      throw new UsageError(`${layer !== undefined ? "--layer" : "--model_config_path"}: ${modelName} is a ${model.family} model; only RepCodec models take it`);
    }
  }
  return { model, ...(layer === undefined ? {} : { layer }) };
}
