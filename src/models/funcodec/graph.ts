/**
 * FunCodec's encodec generator as two ONNX graphs built from the family-neutral SEANet pieces:
 * every conv is followed by GroupNorm(1, C) over the row's real frames (time_group_norm; in the
 * transposed convs before the trim, as upstream), so a padded batch gives each row what it gives
 * alone.
 *   encode: audio [B, L] (already divided by each row's scale), lengths [B]
 *           → codes int64 [B, Q, T] (all Q rows; callers keep a prefix), latent [B, T, D], frames [B]
 *   decode: codes int64 [B, n, T] (rows 0..n−1), frames [B] → audio [B, hop·T] (normalised level), samples [B]
 * B = batch, L = samples, T = code frames, Q = quantizer layers, D = latent width.
 */
import { attr, DataType, GraphBuilder } from "../../onnx/builder.js";
import type { ModelProto } from "../../onnx/types.js";
import { elu } from "../common/activations.js";
import { maskedGroupNorm } from "../common/groupNorm.js";
import { slstm } from "../common/lstm.js";
import { paddedConv1d, trimmedConvTranspose1d, type Rows } from "../common/paddedConv.js";
import { rvqDecode, rvqEncode } from "../common/residualVq.js";
import type { FunCodecConfig } from "./config.js";
import { codebookLayer, type FunCodecWeights, type NormedConv, type ResidualBlock } from "./weights.js";

/** SConv1d then its GroupNorm; x [B, C, T] → [B, out, T']. */
function normedConv(g: GraphBuilder, input: Rows, conv: NormedConv, eps: number, scope: string, stride = 1, dilation = 1): Rows {
  const y = paddedConv1d(g, input, { weight: conv.weight, bias: conv.bias }, { stride, dilation }, `${scope}.conv`);
  return { x: maskedGroupNorm(g, y.x, y.lengths, { weight: conv.normWeight, bias: conv.normBias, epsilon: eps }, `${scope}.norm`), lengths: y.lengths };
}

/** SEANetResnetBlock: shortcut(x) + conv2(elu(conv1(elu(x)))); x [B, C, T] → [B, C, T]. */
function residualBlock(g: GraphBuilder, input: Rows, block: ResidualBlock, eps: number, scope: string): Rows {
  const h1 = normedConv(g, { x: elu(g, input.x), lengths: input.lengths }, block.conv1, eps, `${scope}.block.1`, 1, block.dilation); // [B, C/2, T]
  const h2 = normedConv(g, { x: elu(g, h1.x), lengths: input.lengths }, block.conv2, eps, `${scope}.block.3`); // [B, C, T]
  const skip = block.shortcut ? normedConv(g, input, block.shortcut, eps, `${scope}.shortcut`).x : input.x; // [B, C, T]
  return { x: g.node("Add", [skip, h2.x]), lengths: input.lengths };
}

/** The SEANet encoder on rows of samples x [B, 1, L] → latent [B, D, T] with frames [B]. */
function encoder(g: GraphBuilder, input: Rows, weights: FunCodecWeights["encoder"], eps: number): Rows {
  let rows = normedConv(g, input, weights.first, eps, "encoder.first"); // [B, nf, L]
  weights.stages.forEach((stage, s) => {
    stage.blocks.forEach((block, j) => { rows = residualBlock(g, rows, block, eps, `encoder.stage${s}.res${j}`); });
    rows = normedConv(g, { x: elu(g, rows.x), lengths: rows.lengths }, stage.down, eps, `encoder.stage${s}.down`, stage.stride); // [B, 2C, ⌈T/r⌉]
  });
  const lstm = slstm(g, rows.x, rows.lengths, weights.lstm, "encoder.lstm"); // [B, H, T]
  return normedConv(g, { x: elu(g, lstm), lengths: rows.lengths }, weights.last, eps, "encoder.last"); // [B, D, T]
}

/** The SEANet decoder on a latent [B, D, T] → samples [B, 1, hop·T]. */
function decoder(g: GraphBuilder, input: Rows, weights: FunCodecWeights["decoder"], eps: number): Rows {
  let rows = normedConv(g, input, weights.first, eps, "decoder.first"); // [B, H, T]
  rows = { x: slstm(g, rows.x, rows.lengths, weights.lstm, "decoder.lstm"), lengths: rows.lengths }; // [B, H, T]
  weights.stages.forEach((stage, s) => {
    const scope = `decoder.stage${s}.up`;
    const up = stage.up;
    rows = trimmedConvTranspose1d(g, { x: elu(g, rows.x), lengths: rows.lengths }, { weight: up.weight, bias: up.bias }, stage.stride, `${scope}.convtr`,
      (full) => maskedGroupNorm(g, full.x, full.lengths, { weight: up.normWeight, bias: up.normBias, epsilon: eps }, `${scope}.norm`)); // [B, C/2, r·T]
    stage.blocks.forEach((block, j) => { rows = residualBlock(g, rows, block, eps, `decoder.stage${s}.res${j}`); });
  });
  return normedConv(g, { x: elu(g, rows.x), lengths: rows.lengths }, weights.last, eps, "decoder.last"); // [B, 1, hop·T]
}

function codebookLayers(config: FunCodecConfig, weights: FunCodecWeights) {
  return Array.from({ length: config.numQuantizers }, (_, i) => codebookLayer(weights.codebooks, i)); // Q × [K, D]
}

export function buildEncodeGraph(config: FunCodecConfig, weights: FunCodecWeights): ModelProto {
  const g = new GraphBuilder();
  const audio = g.input("audio", DataType.FLOAT, ["batch", "samples"]); // [B, L]
  const lengths = g.input("lengths", DataType.INT64, ["batch"]); // [B]
  const x = g.node("Unsqueeze", [audio, g.int64s([1])]); // [B, 1, L]
  const latent = encoder(g, { x, lengths }, weights.encoder, config.groupNormEps); // [B, D, T]
  const timeMajor = g.node("Transpose", [latent.x], { perm: attr.ints([0, 2, 1]) }); // [B, T, D], the encoder's output layout
  const codes = rvqEncode(g, timeMajor, codebookLayers(config, weights), "quantizer"); // [B, Q, T]
  g.output("codes", codes, DataType.INT64, ["batch", config.numQuantizers, "frames"]);
  g.output("latent", timeMajor, DataType.FLOAT, ["batch", "frames", config.encoder.dimension]);
  g.output("frames", latent.lengths, DataType.INT64, ["batch"]);
  return g.build("funcodec_encode");
}

export function buildDecodeGraph(config: FunCodecConfig, weights: FunCodecWeights): ModelProto {
  const g = new GraphBuilder();
  const codes = g.input("codes", DataType.INT64, ["batch", "rows", "frames"]); // [B, n, T]
  const frames = g.input("frames", DataType.INT64, ["batch"]); // [B]
  const firstLayer = g.node("Mul", [frames, g.scalarInt64(0)]); // [B] zeros: row i is layer i
  const latent = rvqDecode(g, codes, firstLayer, codebookLayers(config, weights), "quantizer"); // [B, D, T]
  const out = decoder(g, { x: latent, lengths: frames }, weights.decoder, config.groupNormEps); // [B, 1, hop·T]
  g.output("audio", g.node("Squeeze", [out.x, g.int64s([1])]), DataType.FLOAT, ["batch", "samples"]);
  g.output("samples", out.lengths, DataType.INT64, ["batch"]);
  return g.build("funcodec_decode");
}
