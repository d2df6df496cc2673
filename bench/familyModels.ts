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

export function familyModelDir(cacheDir: string, key: FamilyKey): string {
  return join(cacheDir, "models", `${key}-released-seed${MODEL_SEED}`);
}

/** The folder and files of `key`'s released-size model, generated first when missing. */
export async function ensureFamilyModel(cacheDir: string, key: FamilyKey, log: (line: string) => void): Promise<{ dir: string; files: ModelFiles }> {
  const dir = familyModelDir(cacheDir, key);
  const manifest = join(dir, MANIFEST);
  if (!existsSync(manifest)) {
    log(`generating the released-size ${key} model (random weights, seed ${MODEL_SEED}) into ${dir}`);
    await generateInChild("./generateFamilyModel.js", FAMILY_OF[key], dir, log);
  }
  return { dir, files: JSON.parse(readFileSync(manifest, "utf8")) as ModelFiles };
}
