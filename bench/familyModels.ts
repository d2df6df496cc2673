/**
 * Released-size random-weight models of the other tokenizer families, one folder per family,
 * written once into the cache directory by a child process (generateFamilyModel.js), like the
 * S3 versions' files (benchModels.ts), and how the benchmark opens them: through the family
 * interface as the CLI does, or, for a model the CLI does not load yet (RepCodec over HuBERT),
 * through its library entry point.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "../src/registry/load.js";
import type { FamilyLoadOptions, FamilyName, ModelFiles, TokenizerModel } from "../src/family/types.js";
import { SPEECH_ENCODER_REPCODEC_FILES, openRepCodecSpeechEncoder } from "../src/models/repcodec/speechEncoderRepCodec.js";
import { randomHubertRepCodecLayer } from "../src/models/repcodec/speechEncoderRandomModel.js";
import { generateInChild, MODEL_SEED } from "./benchModels.js";

/** The families `--versions` takes beside the S3 versions, and the family each measures. */
export const FAMILY_OF = {
  speechtokenizer: "speechtokenizer", funcodec: "funcodec", repcodec_whisper: "repcodec", repcodec_hubert: "repcodec",
} as const satisfies Record<string, FamilyName>;
export type FamilyKey = keyof typeof FAMILY_OF;
export const FAMILY_KEYS = Object.keys(FAMILY_OF) as FamilyKey[];

/** The families whose loader takes `mode: "fast"` (int8 products): the benchmark times that mode too. */
const FAST_MODE_KEYS: readonly FamilyKey[] = ["repcodec_whisper", "repcodec_hubert"];

/** Models the CLI cannot load yet (not registered as a family): opened by their library call, no first-token figure. */
const LIBRARY_ONLY_KEYS: readonly FamilyKey[] = ["repcodec_hubert"];

export function hasFastMode(key: FamilyKey): boolean {
  return FAST_MODE_KEYS.includes(key);
}

export function cliLoads(key: FamilyKey): boolean {
  return !LIBRARY_ONLY_KEYS.includes(key);
}

/** The manifest in a model folder (file name → path), written last by generateFamilyModel.js. */
export const FAMILY_MANIFEST = "files.json";

export function isFamilyKey(value: string): value is FamilyKey {
  return (FAMILY_KEYS as readonly string[]).includes(value);
}

/**
 * EnCodec's two releases, measured by encodecBench.ts: the family is not registered yet, so it is
 * loaded through its own family object rather than `load(path)`; generateFamilyModel.js writes
 * either release's layout by this name.
 */
export const ENCODEC_KEYS = ["encodec_24khz", "encodec_48khz"] as const;
export type EncodecKey = (typeof ENCODEC_KEYS)[number];

export function isEncodecKey(value: string): value is EncodecKey {
  return (ENCODEC_KEYS as readonly string[]).includes(value);
}

export function familyModelDir(cacheDir: string, key: FamilyKey | EncodecKey): string {
  return join(cacheDir, "models", `${key}-released-seed${MODEL_SEED}`);
}

export interface FamilyModel {
  dir: string;
  files: ModelFiles;
}

/** The folder and files of `key`'s released-size model, generated first when missing. */
export async function ensureFamilyModel(cacheDir: string, key: FamilyKey | EncodecKey, log: (line: string) => void): Promise<FamilyModel> {
  const dir = familyModelDir(cacheDir, key);
  const manifest = join(dir, FAMILY_MANIFEST);
  if (!existsSync(manifest)) {
    log(`generating the released-size ${key} model (random weights, seed ${MODEL_SEED}) into ${dir}`);
    await generateInChild("./generateFamilyModel.js", key, dir, log);
  }
  return { dir, files: JSON.parse(readFileSync(manifest, "utf8")) as ModelFiles };
}

/** A model's file by its name in the manifest. */
function fileNamed(model: FamilyModel, name: string): string {
  const path = model.files[name];
  if (path === undefined) throw new Error(`${model.dir}: the model's files lack ${name}: ${Object.keys(model.files).join(", ")}`);
  return path;
}

/** `key`'s model loaded as the benchmark's (a) runs it. */
export function openFamilyModel(key: FamilyKey, model: FamilyModel, options: FamilyLoadOptions = {}): Promise<TokenizerModel> {
  if (key !== "repcodec_hubert") return load(model.dir, options);
  const names = SPEECH_ENCODER_REPCODEC_FILES;
  const files = { featureModel: fileNamed(model, names.featureModel), repcodec: fileNamed(model, names.repcodec), layer: randomHubertRepCodecLayer("released") };
  return openRepCodecSpeechEncoder(files, model.dir, { ...options });
}
