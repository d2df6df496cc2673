/**
 * The wav2vec 2.0-style encoder body that HuBERT and data2vec-audio share, as fairseq's
 * `extract_features(output_layer = L)` computes it, over a batch of waveforms with real padding
 * masks so that each row's features equal its features alone:
 *  - the convolutional front end: valid convolutions (a row's real frames read only its own
 *    samples), GroupNorm(C, C) over each row's REAL frames ("default" mode, block 0) or LayerNorm
 *    over channels ("layer_norm" mode), exact GELU; in fast mode its heavy blocks as int8 products;
 *  - LayerNorm over channels, post_extract_proj;
 *  - padded frames zeroed (as fairseq's padding mask does), then the positional convolution
 *    (HuBERT: one weight-normed grouped conv; data2vec: a chain of conv → LayerNorm → GELU, each
 *    conv seeing zeros past the row) added once;
 *  - encoder.layer_norm for post-LN models, then layers 1..L with padded keys masked away;
 *    encoder.layer_norm is never applied after a requested layer.
 * fairseq's padding of T to required_seq_len_multiple adds masked frames only (it changes float
 * rounding, not values), so it is not reproduced.
 * B = batch, S = samples, C = front-end channels, T = frames, D = width.
 */
import { attr, DataType, GraphBuilder } from "../../onnx/builder.js";
import type { ModelProto } from "../../onnx/types.js";
import { float32Tensor } from "../../onnx/tensor.js";
import { BLOCK, blockwiseRowSum } from "../common/groupNorm.js";
import { quantizeColumns } from "../common/int8.js";
import { unfoldedKernel, unfoldTaps, validConvLength } from "../common/unfoldedConv.js";
import { dimSize, gelu, layerNorm, lengthMask, linear, toFloat, type Precision } from "../common/layers.js";
import { selfAttention, type AttentionContext } from "../common/attention.js";
import { maskedAttentionContext, transformerBlock, type TransformerBlockWeights } from "../common/transformerBlock.js";
import type { ConvWeights, LayerNormWeights } from "../common/weights.js";
import type { ConvLayerSpec } from "./config.js";
import { NORM_EPSILON, type SpeechEncoderWeights } from "./weights.js";

export const SPEECH_ENCODER_IO = { audio: "audio", audioLengths: "audio_lengths", features: "features" } as const;

export interface SpeechEncoderGraphOptions {
  /** "int8": the projections and the feed-forward as int8 products (fast mode); default "exact". */
  precision?: Precision;
  /** "fused": onnxruntime's MultiHeadAttention (flash attention on a CPU); "composite": plain operators. */
  attention?: "fused" | "composite";
}

/** LayerNorm over the channels of x [B, C, T] (per frame), with `ln`'s scale and bias. */
function channelLayerNorm(g: GraphBuilder, x: string, ln: LayerNormWeights, scope: string): string {
  const timeMajor = g.node("Transpose", [x], { perm: attr.ints([0, 2, 1]) }); // [B, T, C]
  return g.node("Transpose", [layerNorm(g, timeMajor, ln, scope)], { perm: attr.ints([0, 2, 1]) }); // [B, C, T]
}

/**
 * GroupNorm(C, C) of x [B, C, T]: each channel of each row normalised over the row's real frames
 * (maskF [B, 1, T], counts [B] real frames), biased variance, two passes as torch; blockwise sums
 * (T is a whole number of blocks: see wholeBlockWaveform). Applied as torch's kernel does, one
 * scale and one shift per channel: (x − mean) · (rstd · weight) + bias.
 */
function maskedChannelNorm(g: GraphBuilder, x: string, maskF: string, lengths: string, norm: LayerNormWeights, scope: string): string {
  const channels = norm.scale.dims[0]!;
  const count = g.node("Reshape", [g.node("Cast", [lengths], { to: attr.int(DataType.FLOAT) }), g.int64s([-1, 1, 1])]); // [B, 1, 1]
  const rowsShape = g.node("Concat", [g.int64s([-1]), g.node("Shape", [x], { start: attr.int(2) })], { axis: attr.int(0) }); // [2] = [B·C, T]
  const frameSum = (t: string) => g.node("Reshape", [blockwiseRowSum(g, g.node("Reshape", [g.node("Mul", [t, maskF]), rowsShape]), true), g.int64s([-1, channels, 1])]); // [B, C, 1]
  const centered = g.node("Sub", [x, g.node("Div", [frameSum(x), count])]); // [B, C, T]
  const variance = g.node("Div", [frameSum(g.node("Mul", [centered, centered])), count]); // [B, C, 1]
  const inverseStd = g.node("Reciprocal", [g.node("Sqrt", [g.node("Add", [variance, g.scalarFloat(norm.epsilon)])])]); // [B, C, 1]
  const weight = g.node("Reshape", [g.initializer(`${scope}.weight`, norm.scale), g.int64s([1, channels, 1])]); // [1, C, 1]
  const bias = g.node("Reshape", [g.initializer(`${scope}.bias`, norm.bias), g.int64s([1, channels, 1])]); // [1, C, 1]
  return g.node("Add", [g.node("Mul", [centered, g.node("Mul", [inverseStd, weight])]), bias], {}, `${scope}/GroupNorm`); // [B, C, T]
}

/**
 * The waveforms [B, 1, S] zero-padded (or left as they are) so that block 0's valid convolution
 * gives a whole number of BLOCK frames: the GroupNorm's blockwise sums then need no padded copy of
 * the block's [B, C, T] output (the largest tensor of the model). The added frames lie past every
 * row's length, where the norm's mask and every later step ignore them (a row's real frames read
 * only its real samples).
 */
function wholeBlockWaveform(g: GraphBuilder, waveform: string, spec: ConvLayerSpec): string {
  const frames = validConvLength(g, dimSize(g, waveform, 2), spec.kernel, spec.stride); // [] = T_0
  const whole = g.node("Mul", [g.node("Div", [g.node("Add", [frames, g.scalarInt64(BLOCK - 1)]), g.scalarInt64(BLOCK)]), g.scalarInt64(BLOCK)]); // [] = ⌈T_0 / BLOCK⌉ · BLOCK
  const samples = g.node("Add", [g.node("Mul", [g.node("Sub", [whole, g.scalarInt64(1)]), g.scalarInt64(spec.stride)]), g.scalarInt64(spec.kernel)]); // [] samples that give them
  const pad = g.node("Max", [g.node("Sub", [samples, dimSize(g, waveform, 2)]), g.scalarInt64(0)]); // []
  const pads = g.node("Concat", [g.int64s([0, 0, 0, 0, 0]), g.node("Unsqueeze", [pad, g.int64s([0])])], { axis: attr.int(0) }); // [6]
  return g.node("Pad", [waveform, pads]); // [B, 1, S']
}

/** Front-end activations quantised per tensor (uint8, as DynamicQuantizeLinear), time-major. */
interface QuantizedFrames {
  /** uint8 [B, T, C] */
  values: string;
  /** float [] */
  scale: string;
  /** uint8 [] */
  zeroPoint: string;
}

/**
 * x [B, C, T] (channel-major) or [B, T, C] (time-major) quantised, then made time-major: the
 * quantisation is per tensor, so quantising before the transpose and the unfolding moves bytes
 * instead of floats and gives the same values as DynamicQuantizeMatMul on the unfolded floats.
 */
function quantizeFrames(g: GraphBuilder, x: string, channelMajor: boolean): QuantizedFrames {
  const [values, scale, zeroPoint] = g.nodeOutputs("DynamicQuantizeLinear", [x], 3) as [string, string, string];
  const timeMajor = channelMajor ? g.node("Transpose", [values], { perm: attr.ints([0, 2, 1]) }) : values; // uint8 [B, T, C]
  return { values: timeMajor, scale, zeroPoint };
}

/**
 * The fast mode's front-end block: a valid Conv1d over quantised frames as one int8 product of
 * the unfolded taps (common/unfoldedConv.ts) and the kernel quantised per output channel
 * (MatMulIntegerToFloat, what DynamicQuantizeMatMul runs after quantising) → float [B, T', C].
 */
function int8FrontEndConv(g: GraphBuilder, input: QuantizedFrames, conv: ConvWeights, spec: ConvLayerSpec, scope: string): string {
  const outFrames = validConvLength(g, dimSize(g, input.values, 1), spec.kernel, spec.stride); // [] = T'
  const unfolded = unfoldTaps(g, input.values, spec.kernel, spec.stride, outFrames); // uint8 [B, T', k·C_in]
  const kernel = quantizeColumns(unfoldedKernel(conv.weight)); // int8 [k·C_in, C]
  const inputs = [
    unfolded,
    g.initializer(`${scope}.weight_int8`, kernel.values),
    input.scale,
    g.initializer(`${scope}.weight_scale`, kernel.scales),
    input.zeroPoint,
    g.initializer(`${scope}.weight_zero_point`, kernel.zeroPoints),
  ];
  if (conv.bias) inputs.push(g.initializer(`${scope}.bias`, conv.bias));
  return g.nodeOutputs("MatMulIntegerToFloat", inputs, 1, {}, `${scope}/MatMul`, "com.microsoft")[0]!; // [B, T', C]
}

/** A block whose products are at least this share of the front end's is worth int8 in fast mode. */
const HEAVY_SHARE = 0.2;

/**
 * The front-end blocks (index ≥ 1) that fast mode runs in int8: those with at least HEAVY_SHARE of
 * the front end's multiply-adds per sample (k · C_in · C / total stride so far). Every quantised
 * block costs agreement (its input is quantised per tensor), so only the blocks where the time
 * goes: for HuBERT base's stack, blocks 1 and 2 (51 % and 26 % of the products).
 */
function heavyBlocks(layers: readonly ConvLayerSpec[]): Set<number> {
  let stride = 1;
  const products = layers.map((layer, i) => {
    stride *= layer.stride;
    return (layer.kernel * (i === 0 ? 1 : layers[i - 1]!.channels) * layer.channels) / stride;
  });
  const total = products.reduce((a, b) => a + b, 0);
  return new Set(products.flatMap((p, i) => (i > 0 && p >= HEAVY_SHARE * total ? [i] : [])));
}

/**
 * The front end: waveforms [B, 1, S] → time-major [B, T, C] and each row's frames int64 [B].
 * Exact: onnxruntime's Conv over channel-major frames (as fast as its MatMul per product here,
 * and it unfolds internally). Fast: the heavy blocks (heavyBlocks) in int8 over time-major
 * quantised frames, the others as exact (block 0 reads the one-channel waveform).
 */
function frontEnd(g: GraphBuilder, weights: SpeechEncoderWeights, waveform: string, sampleLengths: string, precision: Precision): { x: string; lengths: string } {
  const int8Blocks = precision === "int8" ? heavyBlocks(weights.config.convLayers) : new Set<number>();
  let x = waveform;
  let timeMajor = false;
  let lengths = sampleLengths;
  weights.frontEnd.forEach((block, i) => {
    const scope = `feature_extractor.conv_layers.${i}`;
    const spec = weights.config.convLayers[i]!;
    if (i === 0 && block.norm !== undefined && weights.config.extractorMode === "default") x = wholeBlockWaveform(g, x, spec); // [B, 1, S']
    if (precision === "int8" && int8Blocks.has(i)) {
      x = int8FrontEndConv(g, quantizeFrames(g, x, !timeMajor), block.conv, spec, `${scope}.0`); // [B, T_i, C]
      timeMajor = true;
    } else {
      if (timeMajor) x = g.node("Transpose", [x], { perm: attr.ints([0, 2, 1]) }); // [B, C, T_{i-1}]
      timeMajor = false;
      const inputs = [x, g.initializer(`${scope}.0.weight`, block.conv.weight)];
      if (block.conv.bias) inputs.push(g.initializer(`${scope}.0.bias`, block.conv.bias));
      x = g.node("Conv", inputs, { kernel_shape: attr.ints([spec.kernel]), strides: attr.ints([spec.stride]) }, `${scope}/Conv`); // [B, C, T_i]
    }
    lengths = validConvLength(g, lengths, spec.kernel, spec.stride);
    if (block.norm !== undefined) {
      if (weights.config.extractorMode === "layer_norm") {
        x = timeMajor ? layerNorm(g, x, block.norm, `${scope}.2.1`) : channelLayerNorm(g, x, block.norm, `${scope}.2.1`);
      } else {
        // fairseq's "default" mode normalises block 0 only, which is always channel-major here.
        const maskF = g.node("Unsqueeze", [toFloat(g, lengthMask(g, lengths, dimSize(g, x, 2))), g.int64s([1])]); // [B, 1, T_i]
        x = maskedChannelNorm(g, x, maskF, lengths, block.norm, `${scope}.2`);
      }
    }
    x = gelu(g, x);
  });
  return { x: timeMajor ? x : g.node("Transpose", [x], { perm: attr.ints([0, 2, 1]) }), lengths }; // [B, T, C]
}

/** Conv1d(D, D, k, padding k // 2, groups) with bias on x [B, D, T]; the extra last frame of an even k dropped (SamePad). */
function positionalConv(g: GraphBuilder, x: string, conv: ConvWeights, groups: number, scope: string): string {
  const kernel = conv.weight.dims[2]!;
  const half = Math.floor(kernel / 2);
  const out = g.node("Conv", [x, g.initializer(`${scope}.weight`, conv.weight), g.initializer(`${scope}.bias`, conv.bias!)], {
    kernel_shape: attr.ints([kernel]),
    pads: attr.ints([half, half]),
    group: attr.int(groups),
  }, `${scope}/Conv`); // [B, D, T + 1 − k % 2]
  if (kernel % 2 === 1) return out;
  return g.node("Slice", [out, g.int64s([0]), g.int64s([-1]), g.int64s([2])]); // [B, D, T]
}

/** x + pos(x) for x [B, T, D] whose padded frames are zero; maskF [B, 1, T] re-zeroes them between chained convs. */
function withPositions(g: GraphBuilder, weights: SpeechEncoderWeights, x: string, maskF: string): string {
  const pos = weights.config.positionalConv;
  let y = g.node("Transpose", [x], { perm: attr.ints([0, 2, 1]) }); // [B, D, T]
  if (pos.kind === "weight-norm") {
    y = gelu(g, positionalConv(g, y, weights.positionalConvs[0]!, pos.groups, "encoder.pos_conv.0"));
  } else {
    const width = weights.config.width;
    // LayerNorm without affine: scale 1, bias 0.
    const plain: LayerNormWeights = { scale: float32Tensor([width], new Float32Array(width).fill(1)), bias: float32Tensor([width], new Float32Array(width)), epsilon: NORM_EPSILON };
    weights.positionalConvs.forEach((conv, i) => {
      if (i > 0) y = g.node("Mul", [y, maskF]); // [B, D, T]
      const scope = `encoder.pos_conv.${i}`;
      y = gelu(g, channelLayerNorm(g, positionalConv(g, y, conv, pos.groups, `${scope}.0`), plain, `${scope}.norm`));
    });
  }
  return g.node("Add", [x, g.node("Transpose", [y], { perm: attr.ints([0, 2, 1]) })]); // [B, T, D]
}

/** A post-LN layer (fairseq TransformerSentenceEncoderLayer, layer_norm_first false): LN(x + Attn(x)), LN(x + FFN(x)). */
function postNormLayer(ctx: AttentionContext, x: string, block: TransformerBlockWeights, scope: string): string {
  const { g } = ctx;
  const attended = layerNorm(g, g.node("Add", [x, selfAttention(ctx, x, block, `${scope}/attn`)]), block.attnLn, `${scope}/attn_ln`);
  const hidden = gelu(g, linear(g, attended, block.mlpUp, `${scope}/mlp/mlp.0`, ctx.precision));
  return layerNorm(g, g.node("Add", [attended, linear(g, hidden, block.mlpDown, `${scope}/mlp/mlp.2`, ctx.precision)]), block.mlpLn, `${scope}/mlp_ln`);
}

/** audio [B, S] float32 + audio_lengths [B] int64 → features [B, T, D] (row b valid for its own frame count). */
export function buildSpeechEncoderGraph(weights: SpeechEncoderWeights, options: SpeechEncoderGraphOptions = {}): ModelProto {
  const g = new GraphBuilder();
  const { config } = weights;
  const audio = g.input(SPEECH_ENCODER_IO.audio, DataType.FLOAT, ["B", "S"]);
  const audioLengths = g.input(SPEECH_ENCODER_IO.audioLengths, DataType.INT64, ["B"]);

  const precision = options.precision ?? "exact";
  const front = frontEnd(g, weights, g.node("Unsqueeze", [audio, g.int64s([1])]), audioLengths, precision); // [B, T, C]
  let x = layerNorm(g, front.x, weights.featureNorm, "layer_norm"); // [B, T, C]
  if (weights.projection) x = linear(g, x, weights.projection, "post_extract_proj"); // [B, T, D]
  const frames = dimSize(g, x, 1); // [] = T
  const valid = lengthMask(g, front.lengths, frames); // [B, T] bool
  const validF = toFloat(g, valid); // [B, T]
  x = g.node("Mul", [x, g.node("Unsqueeze", [validF, g.int64s([2])])]); // [B, T, D], padding zeroed
  x = withPositions(g, weights, x, g.node("Unsqueeze", [validF, g.int64s([1])]));
  if (!config.layerNormFirst) x = layerNorm(g, x, weights.encoderNorm, "encoder.layer_norm");

  const dims = { width: config.width, heads: config.heads, headDim: config.width / config.heads };
  const ctx = maskedAttentionContext(g, dims, valid, validF, frames, {
    layerNormStyle: "fused",
    precision,
    packed: true,
    fused: (options.attention ?? "fused") === "fused",
  });
  x = ctx.frames.pack(x); // [N, D]
  weights.blocks.forEach((block, i) => {
    const scope = `/encoder.layers.${i}`;
    x = config.layerNormFirst ? transformerBlock(ctx, x, block, scope) : postNormLayer(ctx, x, block, scope);
  });
  g.output(SPEECH_ENCODER_IO.features, ctx.frames.unpack(x), DataType.FLOAT, ["B", "T", config.width]);
  return g.build("speech_encoder_features", { family: "speech-encoder", architecture: config.architecture });
}
