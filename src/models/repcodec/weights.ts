/**
 * The RepCodec tensors a graph needs, each checked against the shape its configuration implies
 * before any graph is built, so a wrong checkpoint fails with the tensor's name, not inside
 * onnxruntime.
 */
import { requireTensor } from "../../checkpoint/requireTensor.js";
import type { TensorData } from "../../onnx/tensor.js";
import { widened } from "../common/tensors.js";
import type { RepCodecConfig, StateDict } from "./config.js";

/** A Conv1d: weight [out, in, kernel], optional bias [out], and its dilation. */
export interface Conv1dWeights {
  weight: TensorData;
  bias?: TensorData;
  dilation: number;
}

export interface ResidualUnitWeights {
  /** Conv1d(C, C, k, dilation d), no bias. */
  conv1: Conv1dWeights;
  /** Conv1d 1x1 (C, C), no bias. */
  conv2: Conv1dWeights;
}

export interface BlockWeights {
  units: ResidualUnitWeights[];
  /** The block's kernel-3 conv (stride 1), with bias when the config has `bias`. */
  conv: Conv1dWeights;
}

export interface RepCodecWeights {
  config: RepCodecConfig;
  encoder: { conv: Conv1dWeights; blocks: BlockWeights[] };
  projector: Conv1dWeights;
  /** Codebook buffer as stored, transposed: [code_dim, codebook_size]. */
  embed: TensorData;
  decoder: { conv1: Conv1dWeights; blocks: BlockWeights[]; conv2: Conv1dWeights };
}

/** Picks and checks every tensor of `config` out of the state dict of `file`. */
export function repcodecWeights(dict: StateDict, config: RepCodecConfig, file: string): RepCodecWeights {
  const tensor = (name: string, dims: number[]): TensorData => {
    // RepCodec's trainer saves float32; a half-precision re-save is widened once here.
    return widened(requireTensor(dict, name, dims, file));
  };
  const conv = (prefix: string, out: number, input: number, kernel: number, bias: boolean, dilation = 1): Conv1dWeights => {
    const weights: Conv1dWeights = { weight: tensor(`${prefix}.weight`, [out, input, kernel]), dilation };
    if (bias) weights.bias = tensor(`${prefix}.bias`, [out]);
    return weights;
  };
  const units = (prefix: string, channels: number, kernel: number, dilations: number[]): ResidualUnitWeights[] =>
    dilations.map((dilation, u) => ({
      conv1: conv(`${prefix}.res_units.${u}.conv1.conv`, channels, channels, kernel, false, dilation),
      conv2: conv(`${prefix}.res_units.${u}.conv2`, channels, channels, 1, false),
    }));

  const c = config;
  const encBlocks: BlockWeights[] = [];
  let channels = c.encode_channels;
  c.enc_ratios.forEach((ratio, i) => {
    const out = Math.trunc(c.encode_channels * ratio);
    const prefix = `encoder.conv_blocks.${i}`;
    encBlocks.push({ units: units(prefix, channels, c.enc_block_kernel_size, c.enc_block_dilations), conv: conv(`${prefix}.conv.conv`, out, channels, 3, c.bias) });
    channels = out;
  });
  const encoderOut = channels;

  const decBlocks: BlockWeights[] = c.dec_ratios.map((ratio, i) => {
    const input = Math.trunc(c.decode_channels * ratio);
    const out = i < c.dec_ratios.length - 1 ? Math.trunc(c.decode_channels * c.dec_ratios[i + 1]!) : c.decode_channels;
    const prefix = `decoder.conv_blocks.${i}`;
    return { conv: conv(`${prefix}.conv.conv`, out, input, 3, c.bias), units: units(prefix, out, c.dec_block_kernel_size, c.dec_block_dilations) };
  });

  return {
    config,
    encoder: { conv: conv("encoder.conv.conv", c.encode_channels, c.input_channels, c.enc_kernel_size, false), blocks: encBlocks },
    projector: conv("projector.project.conv", c.code_dim, encoderOut, 3, false),
    embed: tensor("quantizer.codebook.layers.0.embed", [c.code_dim, c.codebook_size]),
    decoder: {
      conv1: conv("decoder.conv1.conv", Math.trunc(c.decode_channels * c.dec_ratios[0]!), c.code_dim, c.dec_kernel_size, false),
      blocks: decBlocks,
      conv2: conv("decoder.conv2.conv", c.output_channels, c.decode_channels, c.dec_kernel_size, false),
    },
  };
}
