/** Writing a seeded random S3 model in the released files' format (tests and the benchmark). */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelFiles } from "../../family/types.js";
import { S3_MODEL_FILE } from "./batchedTokenizer.js";
import { FULL_SIZE, randomWeights, type RandomModelShape } from "./randomWeights.js";
import { encodeReleasedLayout } from "./releasedLayout.js";

/** The shared family suite's model: v2's structure at a width a test builds in a moment. */
const TINY: RandomModelShape = { version: "v2", nMels: 128, width: 64, heads: 1, layers: 1, conv1Stride: 2 };

export async function writeRandomS3(dir: string, { seed, size }: { seed: number; size: "tiny" | "released" }): Promise<ModelFiles> {
  const path = join(dir, S3_MODEL_FILE);
  await writeFile(path, encodeReleasedLayout(randomWeights(size === "tiny" ? TINY : FULL_SIZE.v2, seed)));
  return { [S3_MODEL_FILE]: path };
}
