/**
 * FunCodec models with seeded random weights, written in the released files' format
 * (config.yaml + a torch zip model.pth holding the generator and the quantizer's buffers), for
 * the shared test suite ("tiny": the conformance fixture's sizes) and the benchmark ("released":
 * upstream's encodec_16k_n32_600k_step_ds640.yaml). Loading them back goes through the same
 * reader and checks as a released checkpoint.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeTorchCheckpoint } from "../../checkpoint/index.js";
import { elementCount, float32Tensor, type TensorData } from "../../onnx/tensor.js";
import type { ModelFiles } from "../../family/types.js";
import { normalSource } from "../common/seededRandom.js";
import { parseFunCodecConfig, type FunCodecConfig } from "./config.js";
import { generatorWeights } from "./weights.js";

/** The config.yaml of each size: the model-building keys of the released config, n_filters/dimension shrunk for "tiny". */
function configYaml(size: "tiny" | "released"): string {
  const [filters, dimension] = size === "tiny" ? [4, 16] : [32, 128];
  const seanet = (withDimension: boolean) => [
    "  ratios: [8, 5, 4, 2, 2]",
    "  norm: time_group_norm",
    "  causal: false",
    `  n_filters: ${filters}`,
    // Only the encoder names the latent width: upstream builds the decoder with
    // input_size=quantizer.output_size() beside decoder_conf, so a decoder_conf.input_size is a
    // duplicate keyword there (the released config has none either).
    ...(withDimension ? [`  dimension: ${dimension}`] : []),
  ];
  return [
    "input_size: 1",
    "sampling_rate: 16000",
    "encoder: encodec_seanet_encoder",
    "encoder_conf:",
    ...seanet(true),
    "quantizer: costume_quantizer",
    "quantizer_conf:",
    "  codebook_size: 1024",
    "  num_quantizers: 32",
    "  ema_decay: 0.99",
    "  kmeans_init: true",
    "  sampling_rate: 16000",
    "  quantize_dropout: true",
    "  rand_num_quant: [2, 4, 8, 16, 32]",
    "  use_ddp: true",
    "  encoder_hop_length: 640",
    "decoder: encodec_seanet_decoder",
    "decoder_conf:",
    ...seanet(false),
    // Training only, and not in model.pth here, but upstream's model builder requires it (filters as the encoder's).
    "discriminator: multiple_disc",
    "discriminator_conf:",
    "  disc_conf_list:",
    "    - name: encodec_multi_scale_stft_discriminator",
    `      filters: ${filters}`,
    "model: encodec",
    "model_conf:",
    `  odim: ${dimension}`,
    "  target_sample_hz: 16000",
    "  audio_normalize: true",
    "  segment_dur: null",
    "",
  ].join("\n");
}

/**
 * A state dict for `config` with seeded random values: convs scaled by 1/sqrt(fan-in), GroupNorm
 * scales near 1, unit-scale codebooks (the latent is GroupNorm'd, so of unit scale too), and the
 * quantizer's buffers as a trained model holds them (inited = 1).
 */
export function randomStateDict(config: FunCodecConfig, seed: number): Map<string, TensorData> {
  const normal = normalSource(seed);
  const dict = new Map<string, TensorData>();
  const make = (name: string, shape: readonly number[]): TensorData => {
    const values = new Float32Array(elementCount(shape));
    const isNormWeight = /\.norm\.weight$/.test(name);
    const fanIn = shape.length === 3 ? (name.includes("convtr") ? shape[0]! : shape[1]!) * shape[2]! : shape.length === 2 ? shape[1]! : 1;
    const scale = isNormWeight || name.endsWith("embed") ? (isNormWeight ? 0.1 : 1) : name.endsWith("bias") ? 0.05 : 1 / Math.sqrt(fanIn);
    for (let i = 0; i < values.length; i++) values[i] = (isNormWeight ? 1 : 0) + scale * normal();
    const tensor = float32Tensor([...shape], values);
    dict.set(name, tensor);
    return tensor;
  };
  const weights = generatorWeights(config, make);
  const q = config.numQuantizers;
  dict.set("quantizer.rq.model.inited", float32Tensor([q, 1], new Float32Array(q).fill(1)));
  dict.set("quantizer.rq.model.cluster_size", float32Tensor([q, config.codebookSize], new Float32Array(q * config.codebookSize).fill(1)));
  dict.set("quantizer.rq.model.embed_avg", weights.codebooks);
  return dict;
}

/** Writes config.yaml and model.pth of the given size into `dir`; returns their paths. */
export async function writeRandomFunCodec(dir: string, options: { seed: number; size: "tiny" | "released" }): Promise<ModelFiles> {
  await mkdir(dir, { recursive: true });
  const yaml = configYaml(options.size);
  const files = { "config.yaml": join(dir, "config.yaml"), "model.pth": join(dir, "model.pth") };
  await writeFile(files["config.yaml"], yaml);
  writeTorchCheckpoint(files["model.pth"], randomStateDict(parseFunCodecConfig(yaml, files["config.yaml"]), options.seed));
  return files;
}
