/**
 * A k-means model with seeded random centres over a random HuBERT (fairseq's layout), in the
 * released formats: "released" is hubert_base_ls960's shapes read at layer 9 with 500 clusters
 * (fairseq's hubert_base_ls960_L9_km500), "tiny" a test-sized one. The centres are uniform with
 * about the unit variance of a post-LN layer's features, so random audio meets many of them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { uniformTensors } from "../common/randomTensors.js";
import { writeRandomHubert } from "../speechEncoders/randomModel.js";
import { joblibKMeansBytes } from "./joblibWriter.js";
import { KMEANS_FILES } from "./options.js";

const SIZES = { tiny: { width: 64, clusters: 20, layer: 2 }, released: { width: 768, clusters: 500, layer: 9 } } as const;

/**
 * Writes the k-means file (named as fairseq names its released one, which states the layer:
 * random_L9_km500.bin) and feature_model.pt into `dir`; returns file name → path.
 */
export function writeRandomKMeansModel(dir: string, seed: number, size: "tiny" | "released"): Record<string, string> {
  const { width, clusters, layer } = SIZES[size];
  const kmeans = `random_L${layer}_km${clusters}.bin`;
  const files = { [kmeans]: join(dir, kmeans), [KMEANS_FILES.featureModel]: join(dir, KMEANS_FILES.featureModel) };
  const random = uniformTensors(seed);
  writeRandomHubert(files[KMEANS_FILES.featureModel]!, size, random);
  const centers = random([clusters, width], Math.sqrt(3)).bytes; // [clusters, width] float32
  writeFileSync(files[kmeans]!, joblibKMeansBytes(new Float32Array(centers.buffer.slice(centers.byteOffset, centers.byteOffset + centers.byteLength)), clusters, width));
  return files;
}
