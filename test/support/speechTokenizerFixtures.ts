/**
 * The SpeechTokenizer conformance fixtures (../shared/fixtures/speechtokenizer): variants, clips,
 * and the state dict of a variant read with the checkpoint reader.
 */
import { join } from "node:path";
import { readCheckpoint } from "../../src/checkpoint/index.js";
import { readConfig } from "../../src/models/speechtokenizer/readConfig.js";
import { importWeights, type SpeechTokenizerWeights } from "../../src/models/speechtokenizer/weights.js";
import { familyFixturesDir } from "./familyFixtures.js";
import { readNpyF32 } from "./npy.js";

export const VARIANTS = ["hubert_avg_tiny", "snake_tiny"] as const;
export const CLIPS = ["aishell_0121", "aishell_0122", "en_16k", "clip_0p5s", "short_0p3s", "tiny_500"] as const;

/** <project>/../shared/fixtures/speechtokenizer, or null when absent. */
export function speechTokenizerFixtures(): string | null {
  return familyFixturesDir("speechtokenizer");
}

export const skipReason = "../shared/fixtures/speechtokenizer not found: SpeechTokenizer conformance skipped";

export function clipSamples(dir: string, clip: string): Float32Array {
  return readNpyF32(join(dir, "inputs", `${clip}.npy`)).data;
}

/** The variant's weights through the real reader and importer. */
export async function variantWeights(dir: string, variant: string): Promise<SpeechTokenizerWeights> {
  const config = await readConfig(join(dir, variant, "config.json"));
  const path = join(dir, variant, "SpeechTokenizer.pt");
  return importWeights((await readCheckpoint(path)).stateDict(), config, path);
}
