/** Locations of the RepCodec fixtures (../shared/fixtures/repcodec) and readers for their files. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fixturesDir } from "./fixtures.js";
import { readNpy } from "./npy.js";

export const repcodecSkipReason = "../shared/fixtures/repcodec not found: RepCodec tests skipped";

/** <shared>/fixtures/repcodec, or null when absent. */
export function repcodecFixturesDir(): string | null {
  const s3 = fixturesDir();
  const dir = s3 === null ? null : join(dirname(s3), "repcodec");
  return dir !== null && existsSync(dir) ? dir : null;
}

/** The features of a dump folder (0_1.npy + 0_1.len), one [T, D] array per utterance. */
export function dumpedFeatures(dir: string): Float32Array[] {
  const matrix = readNpy(join(dir, "0_1.npy"));
  const width = matrix.shape[1]!;
  const lengths = readFileSync(join(dir, "0_1.len"), "utf8").trim().split("\n").map(Number);
  let offset = 0;
  return lengths.map((t) => {
    const rows = (matrix.data as Float32Array).slice(offset * width, (offset + t) * width);
    offset += t;
    return rows;
  });
}

/** An int64 token reference as numbers. */
export function referenceTokenList(path: string): number[] {
  return Array.from(readNpy(path).data as BigInt64Array, Number);
}

