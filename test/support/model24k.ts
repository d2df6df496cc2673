/**
 * A real 24 kHz test model: FunCodec's config states its own sample rate (model_conf's
 * target_sample_hz), so the family's tiny random model written with 24000 there is a model whose
 * audio format differs from the 16 kHz every released family here uses.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { FAMILIES } from "../../src/registry/families.js";
import type { ModelFiles } from "../../src/family/types.js";

export const RATE_24K = 24_000;

/** Writes the tiny random FunCodec model into `dir` with target_sample_hz 24000; returns its files. */
export async function writeFunCodec24k(dir: string, seed = 11): Promise<ModelFiles> {
  const files = await FAMILIES.find((f) => f.name === "funcodec")!.writeRandomModel(dir, { seed, size: "tiny" });
  const config = files["config.yaml"]!;
  const text = readFileSync(config, "utf8");
  const at24k = text.replace("  target_sample_hz: 16000", `  target_sample_hz: ${RATE_24K}`);
  if (at24k === text) throw new Error(`${config}: no "target_sample_hz: 16000" line to change (the random config changed?)`);
  writeFileSync(config, at24k);
  return files;
}
