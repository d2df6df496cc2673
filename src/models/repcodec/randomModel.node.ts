/**
 * A RepCodec-over-Whisper model with seeded random weights, written in the released formats (an
 * openai/whisper `.pt` with "dims" and "model_state_dict", a RepCodec trainer `.pkl` with
 * "model"/"repcodec"), so that loading it exercises the same readers as the released files.
 * "tiny" is the test suite's size; "released" has Whisper medium's encoder and repcodec_dim1024.
 */
import { uniformTensors, type RandomTensors } from "../common/randomTensors.js";
import { join } from "node:path";
import { writeTorchCheckpoint } from "../../checkpoint/index.js";
import { float32Tensor, type TensorData } from "../../onnx/tensor.js";
import type { RepCodecConfig } from "./config.js";
import type { WhisperDims } from "./whisperWeights.js";

export const RANDOM_FILES = { whisper: "whisper.pt", repcodec: "repcodec.pkl" } as const;

interface Sizes {
  whisper: WhisperDims;
  /** RepCodec's channel widths (input = the Whisper width). */
  channels: number;
  codeDim: number;
  codebookSize: number;
}

const SIZES: Record<"tiny" | "released", Sizes> = {
  tiny: { whisper: { n_mels: 80, n_audio_ctx: 1500, n_audio_state: 64, n_audio_head: 4, n_audio_layer: 2 }, channels: 32, codeDim: 16, codebookSize: 64 },
  released: { whisper: { n_mels: 80, n_audio_ctx: 1500, n_audio_state: 1024, n_audio_head: 16, n_audio_layer: 24 }, channels: 1024, codeDim: 1024, codebookSize: 1024 },
};

export { uniformTensors as uniformSource, type RandomTensors };

/** Whisper's sinusoids(length, width) table, as AudioEncoder registers it. */
function sinusoidTable(length: number, width: number): TensorData {
  const half = width / 2;
  const values = new Float32Array(length * width); // [length, width]
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) {
      const angle = t * Math.exp((-Math.log(10000) / (half - 1)) * i);
      values[t * width + i] = Math.sin(angle);
      values[t * width + half + i] = Math.cos(angle);
    }
  }
  return float32Tensor([length, width], values);
}

function whisperTree(dims: WhisperDims, random: RandomTensors): Map<string, unknown> {
  const d = dims.n_audio_state;
  const state = new Map<string, TensorData>();
  const put = (name: string, shape: number[], scale: number, offset = 0): void => void state.set(name, random(shape, scale, offset));
  state.set("encoder.positional_embedding", sinusoidTable(dims.n_audio_ctx, d));
  put("encoder.conv1.weight", [d, dims.n_mels, 3], 1 / Math.sqrt(3 * dims.n_mels));
  put("encoder.conv1.bias", [d], 0.05);
  put("encoder.conv2.weight", [d, d, 3], 1 / Math.sqrt(3 * d));
  put("encoder.conv2.bias", [d], 0.05);
  for (let i = 0; i < dims.n_audio_layer; i++) {
    const p = `encoder.blocks.${i}`;
    for (const ln of ["attn_ln", "mlp_ln"]) {
      put(`${p}.${ln}.weight`, [d], 0.1, 1);
      put(`${p}.${ln}.bias`, [d], 0.05);
    }
    for (const name of ["query", "key", "value", "out"]) {
      put(`${p}.attn.${name}.weight`, [d, d], 1 / Math.sqrt(d));
      if (name !== "key") put(`${p}.attn.${name}.bias`, [d], 0.05);
    }
    put(`${p}.mlp.0.weight`, [4 * d, d], 1 / Math.sqrt(d));
    put(`${p}.mlp.0.bias`, [4 * d], 0.05);
    put(`${p}.mlp.2.weight`, [d, 4 * d], 0.5 / Math.sqrt(4 * d));
    put(`${p}.mlp.2.bias`, [d], 0.05);
  }
  put("encoder.ln_post.weight", [d], 0.1, 1);
  put("encoder.ln_post.bias", [d], 0.05);
  return new Map<string, unknown>([["dims", new Map(Object.entries(dims))], ["model_state_dict", state]]);
}

/** RepCodec's shapes over `width`-wide features: its channels, code width and codebook size. */
export interface RepCodecShapes {
  channels: number;
  codeDim: number;
  codebookSize: number;
}

/** The RepCodec configuration of these shapes (upstream's released layout: two blocks of two units, stride 1). */
function repcodecConfig(width: number, shapes: RepCodecShapes): RepCodecConfig {
  return {
    input_channels: width, output_channels: width, encode_channels: shapes.channels, decode_channels: shapes.channels,
    code_dim: shapes.codeDim, codebook_num: 1, codebook_size: shapes.codebookSize, bias: true,
    enc_ratios: [1, 1], dec_ratios: [1, 1], enc_strides: [1, 1], dec_strides: [1, 1], enc_kernel_size: 3, dec_kernel_size: 3,
    enc_block_dilations: [1, 1], enc_block_kernel_size: 3, dec_block_dilations: [1, 1], dec_block_kernel_size: 3,
  };
}

function repcodecTree(config: RepCodecConfig, random: RandomTensors): Map<string, unknown> {
  const c = config.encode_channels;
  const state = new Map<string, TensorData>();
  const conv = (name: string, out: number, input: number, kernel: number, bias = false): void => {
    state.set(`${name}.weight`, random([out, input, kernel], 1 / Math.sqrt(input * kernel)));
    if (bias) state.set(`${name}.bias`, random([out], 0.05));
  };
  const block = (prefix: string): void => {
    for (let u = 0; u < 2; u++) {
      conv(`${prefix}.res_units.${u}.conv1.conv`, c, c, 3);
      conv(`${prefix}.res_units.${u}.conv2`, c, c, 1);
    }
    conv(`${prefix}.conv.conv`, c, c, 3, true);
  };
  conv("encoder.conv.conv", c, config.input_channels, 3);
  for (let b = 0; b < 2; b++) block(`encoder.conv_blocks.${b}`);
  conv("projector.project.conv", config.code_dim, c, 3);
  const embed = random([config.code_dim, config.codebook_size], 1);
  state.set("quantizer.codebook.layers.0.embed", embed);
  state.set("quantizer.codebook.layers.0.embed_avg", embed);
  state.set("quantizer.codebook.layers.0.cluster_size", random([config.codebook_size], 0.5, 1));
  conv("decoder.conv1.conv", c, config.code_dim, 3);
  for (let b = 0; b < 2; b++) block(`decoder.conv_blocks.${b}`);
  conv("decoder.conv2.conv", config.output_channels, c, 3);
  return new Map<string, unknown>([["model", new Map([["repcodec", state]])], ["steps", 0]]);
}

/** Writes a RepCodec trainer checkpoint of `shapes` over `width`-wide features at `path`. */
export function writeRandomRepCodec(path: string, width: number, shapes: RepCodecShapes, random: RandomTensors): void {
  writeTorchCheckpoint(path, repcodecTree(repcodecConfig(width, shapes), random));
}

/** Writes whisper.pt and repcodec.pkl into `dir`; returns file name → path. */
export function writeRandomRepCodecWhisper(dir: string, seed: number, size: "tiny" | "released"): Record<string, string> {
  const sizes = SIZES[size];
  const random = uniformTensors(seed);
  const files = { [RANDOM_FILES.whisper]: join(dir, RANDOM_FILES.whisper), [RANDOM_FILES.repcodec]: join(dir, RANDOM_FILES.repcodec) };
  writeTorchCheckpoint(files[RANDOM_FILES.whisper]!, whisperTree(sizes.whisper, random));
  writeRandomRepCodec(files[RANDOM_FILES.repcodec]!, sizes.whisper.n_audio_state, sizes, random);
  return files;
}
