/**
 * Full-size random-weight tokenizers in the released files' layout, one per version, written
 * once into the cache directory. Each is generated in its own child process (generateModel.js):
 * v3 needs 2-3 GB while it is built, and a separate process hands all of it back to the system
 * before the next one starts and before anything is timed.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FULL_SIZE } from "../src/models/s3/randomWeights.js";
import { childFailure, runChild } from "./children.js";

export type VersionKey = keyof typeof FULL_SIZE;
export const VERSION_KEYS = Object.keys(FULL_SIZE) as VersionKey[];

/** Weights are drawn from this seed; it is part of the file name, so a change never reuses a file. */
export const MODEL_SEED = 1;
const GENERATE_TIMEOUT_MS = 20 * 60_000;

export function isVersionKey(value: string): value is VersionKey {
  return (VERSION_KEYS as string[]).includes(value);
}

export function benchModelPath(cacheDir: string, key: VersionKey): string {
  return join(cacheDir, "models", `${key}-seed${MODEL_SEED}.onnx`);
}

/** The model file of `key`, generated first when missing; throws with the child's reason. */
export async function ensureBenchModel(cacheDir: string, key: VersionKey, log: (line: string) => void): Promise<string> {
  const path = benchModelPath(cacheDir, key);
  if (existsSync(path)) return path;
  mkdirSync(join(cacheDir, "models"), { recursive: true });
  log(`generating the full-size ${key} model (random weights, seed ${MODEL_SEED}) into ${path}`);
  await generateInChild("./generateModel.js", key, path, log);
  return path;
}

/** Runs a generator child (`node SCRIPT KEY SEED OUT`, SCRIPT next to this file); throws with its reason. */
export async function generateInChild(script: string, key: string, out: string, log: (line: string) => void): Promise<void> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const result = await runChild(process.execPath, [path, key, String(MODEL_SEED), out], { timeoutMs: GENERATE_TIMEOUT_MS });
  const failure = childFailure(`generating ${key}`, result);
  if (failure) throw new Error(failure);
  log(`  ${key} written in ${result.wall_s.toFixed(1)} s`);
}
