/**
 * EnCodec checkpoints with seeded random weights in the released format (a bare state dict, torch
 * zip, named `<name>-<sha256[:8]>.th` as upstream names its releases), for tests and the
 * benchmark: "tiny" has the conformance fixtures' 24 kHz sizes (n_filters 4, dimension 32, 128
 * bins), "released" the release constructors' (32, 128, 1024). Either release's layout: 24 kHz
 * mono with weight norm and 32 layers (the default), or 48 kHz stereo with time group norm and 16
 * layers. Loading one back goes through the same recognition, checks and checksum as a release.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { writeTorchCheckpoint } from "../../checkpoint/index.js";
import type { ModelFiles } from "../../family/types.js";
import { elementCount, float32Tensor, type TensorData } from "../../onnx/tensor.js";
import { normalSource } from "../common/seededRandom.js";
import { hopLength, layersForBandwidths, RELEASE_24KHZ, RELEASE_48KHZ, SEANET_DEFAULTS, type EncodecConfig } from "./config.js";
import { expectedTensors } from "./weights.js";

/** Which release's layout and facts a random model takes. */
export type EncodecRelease = "encodec_24khz" | "encodec_48khz";

export function randomConfig(size: "tiny" | "released", release: EncodecRelease = "encodec_24khz"): EncodecConfig {
  const [nFilters, dimension, bins] = size === "tiny" ? [4, 32, 128] : [32, 128, 1024];
  const facts = release === "encodec_48khz" ? RELEASE_48KHZ : RELEASE_24KHZ;
  const strides = [...SEANET_DEFAULTS.strides];
  // As many layers as the release's top bandwidth makes (upstream's _get_model): 32 at 24 kHz, 16 at 48 kHz.
  const nQ = layersForBandwidths(facts, hopLength({ strides }));
  return { ...SEANET_DEFAULTS, strides, ...facts, nFilters, dimension, bins, nQ };
}

/**
 * A state dict for `config`: conv directions scaled by 1/sqrt(fan-in) with gains of their own
 * norm (weight norm) or GroupNorm scales near 1, small biases, unit-normal codebooks, and the
 * quantizer's buffers as a trained model holds them (inited 1, cluster_size, embed_avg).
 */
export function randomStateDict(config: EncodecConfig, seed: number): Map<string, TensorData> {
  const normal = normalSource(seed);
  const dict = new Map<string, TensorData>();
  for (const [name, shape] of expectedTensors(config)) {
    const values = new Float32Array(elementCount(shape));
    if (name.endsWith(".inited")) values.fill(1);
    else if (name.endsWith(".weight_g") || /\.norm\.weight$/.test(name)) for (let i = 0; i < values.length; i++) values[i] = 1 + 0.1 * normal();
    else {
      const fanIn = shape.length === 3 ? (name.includes("convtr") ? shape[0]! : shape[1]!) * shape[2]! : shape.length === 2 ? shape[1]! : 1;
      const scale = name.endsWith("embed") ? 1 : name.endsWith("bias") ? 0.05 : 1 / Math.sqrt(fanIn);
      for (let i = 0; i < values.length; i++) values[i] = scale * normal();
    }
    dict.set(name, float32Tensor([...shape], values));
  }
  for (let i = 0; i < config.nQ; i++) {
    const prefix = `quantizer.vq.layers.${i}._codebook`;
    dict.set(`${prefix}.cluster_size`, float32Tensor([config.bins], new Float32Array(config.bins).fill(1)));
    dict.set(`${prefix}.embed_avg`, dict.get(`${prefix}.embed`)!);
  }
  return dict;
}

/** Writes `<name>-<sha256[:8]>.th` of the given size into `dir`; returns { file name: path }. */
export async function writeRandomEncodec(dir: string, options: { seed: number; size: "tiny" | "released"; release?: EncodecRelease }): Promise<ModelFiles> {
  await mkdir(dir, { recursive: true });
  const config = randomConfig(options.size, options.release);
  const staging = join(dir, `${config.name}.th.partial`);
  writeTorchCheckpoint(staging, randomStateDict(config, options.seed));
  const digest = createHash("sha256").update(await readFile(staging)).digest("hex");
  const file = `${config.name}-${digest.slice(0, 8)}.th`;
  await rename(staging, join(dir, file));
  return { [file]: join(dir, file) };
}
