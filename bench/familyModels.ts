/**
 * Released-size random-weight models of the other tokenizer families, one folder per family,
 * written once into the cache directory by a child process (generateFamilyModel.js), like the
 * S3 versions' files (benchModels.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FamilyName, ModelFiles } from "../src/family/types.js";
import { generateInChild, MODEL_SEED } from "./benchModels.js";

/** The families `--versions` takes beside the S3 versions, and the registered family each measures. */
export const FAMILY_OF = { speechtokenizer: "speechtokenizer", funcodec: "funcodec", repcodec_whisper: "repcodec" } as const satisfies Record<string, FamilyName>;
export type FamilyKey = keyof typeof FAMILY_OF;
export const FAMILY_KEYS = Object.keys(FAMILY_OF) as FamilyKey[];

/** The families whose loader takes `mode: "fast"` (int8 products): the benchmark times that mode too. */
const FAST_MODE_KEYS: readonly FamilyKey[] = ["repcodec_whisper"];

export function hasFastMode(key: FamilyKey): boolean {
  return FAST_MODE_KEYS.includes(key);
}

const MANIFEST = "files.json"; // written last by generateFamilyModel.js

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

/** The folder and files of `key`'s released-size model, generated first when missing. */
export async function ensureFamilyModel(cacheDir: string, key: FamilyKey | EncodecKey, log: (line: string) => void): Promise<{ dir: string; files: ModelFiles }> {
  const dir = familyModelDir(cacheDir, key);
  const manifest = join(dir, MANIFEST);
  if (!existsSync(manifest)) {
    log(`generating the released-size ${key} model (random weights, seed ${MODEL_SEED}) into ${dir}`);
    await generateInChild("./generateFamilyModel.js", isEncodecKey(key) ? key : FAMILY_OF[key], dir, log);
  }
  return { dir, files: JSON.parse(readFileSync(manifest, "utf8")) as ModelFiles };
}
