/**
 * RepCodec's configuration (upstream's `RepCodec(**model_params)` keywords), derived from the
 * checkpoint's tensor shapes. Upstream takes it from the file name instead, which breaks on a
 * renamed file; the shapes say everything but the residual units' dilations, which default to
 * upstream's released value (1) and may come from a YAML file (see yamlConfig.ts).
 */
import type { TensorData } from "../../onnx/tensor.js";
import { RepCodecModelError } from "./errors.js";

export interface RepCodecConfig {
  input_channels: number;
  output_channels: number;
  encode_channels: number;
  decode_channels: number;
  code_dim: number;
  codebook_num: number;
  codebook_size: number;
  bias: boolean;
  enc_ratios: number[];
  dec_ratios: number[];
  enc_strides: number[];
  dec_strides: number[];
  enc_kernel_size: number;
  dec_kernel_size: number;
  enc_block_dilations: number[];
  enc_block_kernel_size: number;
  dec_block_dilations: number[];
  dec_block_kernel_size: number;
}

export type StateDict = ReadonlyMap<string, TensorData>;

/** Dims of `name`, or a typed error naming the checkpoint and the tensor. */
export function dimsOf(dict: StateDict, name: string, rank: number, file: string): number[] {
  const tensor = dict.get(name);
  if (!tensor) throw new RepCodecModelError(file, `missing tensor ${name}`);
  if (tensor.dims.length !== rank) {
    throw new RepCodecModelError(file, `tensor ${name} has shape [${tensor.dims.join(", ")}], expected rank ${rank}`);
  }
  return [...tensor.dims];
}

/** How many `${prefix}${i}${suffix}` keys exist for i = 0, 1, ... (stops at the first gap). */
function countIndexed(dict: StateDict, prefix: string, suffix: string): number {
  let n = 0;
  while (dict.has(`${prefix}${n}${suffix}`)) n++;
  return n;
}

/**
 * The stride of a block's resampling conv from its kernel: upstream uses kernel 3 for stride 1 and
 * 2·stride otherwise. Only stride 1 (every released config) is supported here.
 */
function strideOf(kernel: number, name: string, file: string): number {
  const stride = kernel === 3 ? 1 : kernel / 2;
  if (stride !== 1) throw new RepCodecModelError(file, `${name} has kernel ${kernel} (stride ${stride}); only stride 1, as in every released RepCodec, is supported`);
  return stride;
}

/** The configuration the checkpoint's tensors describe (dilations 1 unless `dilations` says). */
export function configFromStateDict(dict: StateDict, file: string): RepCodecConfig {
  const [encodeChannels, inputChannels, encKernel] = dimsOf(dict, "encoder.conv.conv.weight", 3, file) as [number, number, number];
  const encBlocks = countIndexed(dict, "encoder.conv_blocks.", ".conv.conv.weight");
  const decBlocks = countIndexed(dict, "decoder.conv_blocks.", ".conv.conv.weight");
  if (encBlocks === 0 || decBlocks === 0) throw new RepCodecModelError(file, "missing tensor encoder.conv_blocks.0.conv.conv.weight or decoder.conv_blocks.0.conv.conv.weight");
  const encUnits = countIndexed(dict, "encoder.conv_blocks.0.res_units.", ".conv1.conv.weight");
  const decUnits = countIndexed(dict, "decoder.conv_blocks.0.res_units.", ".conv1.conv.weight");

  const encRatios: number[] = [];
  const encStrides: number[] = [];
  for (let i = 0; i < encBlocks; i++) {
    const name = `encoder.conv_blocks.${i}.conv.conv.weight`;
    const [out, , kernel] = dimsOf(dict, name, 3, file) as [number, number, number];
    encRatios.push(out / encodeChannels);
    encStrides.push(strideOf(kernel, name, file));
  }
  const [outputChannels, decodeChannels, decKernel] = dimsOf(dict, "decoder.conv2.conv.weight", 3, file) as [number, number, number];
  const decRatios: number[] = [];
  const decStrides: number[] = [];
  for (let i = 0; i < decBlocks; i++) {
    const name = `decoder.conv_blocks.${i}.conv.conv.weight`;
    const [, input, kernel] = dimsOf(dict, name, 3, file) as [number, number, number];
    decRatios.push(input / decodeChannels);
    decStrides.push(strideOf(kernel, name, file));
  }
  const [codeDim, codebookSize] = dimsOf(dict, "quantizer.codebook.layers.0.embed", 2, file) as [number, number];
  const codebookNum = countIndexed(dict, "quantizer.codebook.layers.", ".embed");
  if (codebookNum !== 1) throw new RepCodecModelError(file, `${codebookNum} codebooks; only 1, as in every released RepCodec, is supported`);
  return {
    input_channels: inputChannels,
    output_channels: outputChannels,
    encode_channels: encodeChannels,
    decode_channels: decodeChannels,
    code_dim: codeDim,
    codebook_num: codebookNum,
    codebook_size: codebookSize,
    bias: dict.has("encoder.conv_blocks.0.conv.conv.bias"),
    enc_ratios: encRatios,
    dec_ratios: decRatios,
    enc_strides: encStrides,
    dec_strides: decStrides,
    enc_kernel_size: encKernel,
    dec_kernel_size: decKernel,
    enc_block_dilations: new Array<number>(encUnits).fill(1),
    enc_block_kernel_size: dimsOf(dict, "encoder.conv_blocks.0.res_units.0.conv1.conv.weight", 3, file)[2]!,
    dec_block_dilations: new Array<number>(decUnits).fill(1),
    dec_block_kernel_size: dimsOf(dict, "decoder.conv_blocks.0.res_units.0.conv1.conv.weight", 3, file)[2]!,
  };
}
