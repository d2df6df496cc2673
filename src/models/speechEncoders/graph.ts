/**
 * The wav2vec 2.0-style encoder body that HuBERT and data2vec-audio share, as fairseq's
 * `extract_features(output_layer = L)` computes it, over a batch of waveforms with real padding
 * masks so that each row's features equal its features alone:
 *  - the convolutional front end: valid convolutions (a row's real frames read only its own
 *    samples), GroupNorm(C, C) over each row's REAL frames ("default" mode, block 0) or LayerNorm
 *    over channels ("layer_norm" mode), exact GELU;
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
import { blockwiseRowSum } from "../common/groupNorm.js";
import { dimSize, gelu, layerNorm, lengthMask, linear, toFloat, type Precision } from "../common/layers.js";
import { selfAttention, type AttentionContext } from "../common/attention.js";
import { maskedAttentionContext, transformerBlock, type TransformerBlockWeights } from "../common/transformerBlock.js";
import type { ConvWeights, LayerNormWeights } from "../common/weights.js";
import { NORM_EPSILON, type SpeechEncoderWeights } from "./weights.js";

export const SPEECH_ENCODER_IO = { audio: "audio", audioLengths: "audio_lengths", features: "features" } as const;

export interface SpeechEncoderGraphOptions {
  /** "int8": the projections and the feed-forward as int8 products (fast mode); default "exact". */
  precision?: Precision;
  /** "fused": onnxruntime's MultiHeadAttention (flash attention on a CPU); "composite": plain operators. */
  attention?: "fused" | "composite";
}

/** Int64 [B] frames after a valid convolution of `kernel`, `stride`: (L − k) // s + 1. */
function validConvLengths(g: GraphBuilder, lengths: string, kernel: number, stride: number): string {
  return g.node("Add", [g.node("Div", [g.node("Sub", [lengths, g.scalarInt64(kernel)]), g.scalarInt64(stride)]), g.scalarInt64(1)]); // [B]
}

/** LayerNorm over the channels of x [B, C, T] (per frame), with `ln`'s scale and bias. */
function channelLayerNorm(g: GraphBuilder, x: string, ln: LayerNormWeights, scope: string): string {
  const timeMajor = g.node("Transpose", [x], { perm: attr.ints([0, 2, 1]) }); // [B, T, C]
  return g.node("Transpose", [layerNorm(g, timeMajor, ln, scope)], { perm: attr.ints([0, 2, 1]) }); // [B, C, T]
}

/**
 * GroupNorm(C, C) of x [B, C, T]: each channel of each row normalised over the row's real frames
 * (maskF [B, 1, T], counts [B] real frames), biased variance, two passes as torch; blockwise sums.
 */
function maskedChannelNorm(g: GraphBuilder, x: string, maskF: string, lengths: string, norm: LayerNormWeights, scope: string): string {
  const channels = norm.scale.dims[0]!;
  const count = g.node("Reshape", [g.node("Cast", [lengths], { to: attr.int(DataType.FLOAT) }), g.int64s([-1, 1, 1])]); // [B, 1, 1]
  const rowsShape = g.node("Concat", [g.int64s([-1]), g.node("Shape", [x], { start: attr.int(2) })], { axis: attr.int(0) }); // [2] = [B·C, T]
  const frameSum = (t: string) => g.node("Reshape", [blockwiseRowSum(g, g.node("Reshape", [g.node("Mul", [t, maskF]), rowsShape])), g.int64s([-1, channels, 1])]); // [B, C, 1]
  const centered = g.node("Sub", [x, g.node("Div", [frameSum(x), count])]); // [B, C, T]
  const variance = g.node("Div", [frameSum(g.node("Mul", [centered, centered])), count]); // [B, C, 1]
  const inverseStd = g.node("Reciprocal", [g.node("Sqrt", [g.node("Add", [variance, g.scalarFloat(norm.epsilon)])])]); // [B, C, 1]
  const weight = g.node("Reshape", [g.initializer(`${scope}.weight`, norm.scale), g.int64s([1, channels, 1])]); // [1, C, 1]
  const bias = g.node("Reshape", [g.initializer(`${scope}.bias`, norm.bias), g.int64s([1, channels, 1])]); // [1, C, 1]
  return g.node("Add", [g.node("Mul", [g.node("Mul", [centered, inverseStd]), weight]), bias], {}, `${scope}/GroupNorm`); // [B, C, T]
}

/** The front end: waveforms [B, 1, S] → [B, C, T] and each row's frames int64 [B]. */
function frontEnd(g: GraphBuilder, weights: SpeechEncoderWeights, waveform: string, sampleLengths: string): { x: string; lengths: string } {
  let x = waveform;
  let lengths = sampleLengths;
  weights.frontEnd.forEach((block, i) => {
    const scope = `feature_extractor.conv_layers.${i}`;
    const spec = weights.config.convLayers[i]!;
    const inputs = [x, g.initializer(`${scope}.0.weight`, block.conv.weight)];
    if (block.conv.bias) inputs.push(g.initializer(`${scope}.0.bias`, block.conv.bias));
    x = g.node("Conv", inputs, { kernel_shape: attr.ints([spec.kernel]), strides: attr.ints([spec.stride]) }, `${scope}/Conv`); // [B, C, T_i]
    lengths = validConvLengths(g, lengths, spec.kernel, spec.stride);
    if (block.norm !== undefined) {
      if (weights.config.extractorMode === "layer_norm") {
        x = channelLayerNorm(g, x, block.norm, `${scope}.2.1`);
      } else {
        const maskF = g.node("Unsqueeze", [toFloat(g, lengthMask(g, lengths, dimSize(g, x, 2))), g.int64s([1])]); // [B, 1, T_i]
        x = maskedChannelNorm(g, x, maskF, lengths, block.norm, `${scope}.2`);
      }
    }
    x = gelu(g, x);
  });
  return { x, lengths };
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

  const front = frontEnd(g, weights, g.node("Unsqueeze", [audio, g.int64s([1])]), audioLengths); // [B, C, T]
  let x = layerNorm(g, g.node("Transpose", [front.x], { perm: attr.ints([0, 2, 1]) }), weights.featureNorm, "layer_norm"); // [B, T, C]
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
    precision: options.precision ?? "exact",
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
