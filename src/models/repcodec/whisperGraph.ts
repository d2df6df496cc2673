/**
 * The Whisper encoder's features as RepCodec takes them (RepCodec examples/whisper_model.py):
 * GELU(conv1), GELU(conv2, stride 2), plus positions, then the first L blocks; no ln_post.
 * Its blocks are the Transformer block S3 shares (S3 v1 is a Whisper-style encoder). Batched rows
 * are masked to their own lengths (convolution inputs zeroed past them, attention keys biased
 * away), so a batch equals each utterance alone.
 *
 * Positions: a row of at most n_audio_ctx (1500) frames adds the checkpoint's table, a longer row
 * adds freshly computed float32 sinusoids over all its frames, as a fresh upstream reader does
 * for that utterance alone. Upstream keeps the fresh table for every later utterance of the same
 * reader, so its features depend on the order of the list when the stored table differs (float16
 * checkpoints); this graph decides per row, so ours never do.
 * B = batch, M = mel bands, T = mel frames, T2 = encoder frames, D = width.
 */
import { attr, DataType, GraphBuilder } from "../../onnx/builder.js";
import type { ModelProto } from "../../onnx/types.js";
import { convOutputLength, dimSize, lengthMask, maskedConvGelu, toFloat, type Precision } from "../common/layers.js";
import { maskedAttentionContext, transformerBlock } from "../common/transformerBlock.js";
import type { WhisperEncoderWeights } from "./whisperWeights.js";

export const WHISPER_IO = { mels: "mels", melLengths: "mel_lengths", features: "features" } as const;

/**
 * Whisper's `sinusoids(T, D)` for T = frames (scalar int64) in float32: [sin(t·f), cos(t·f)] with
 * f_i = exp(−i · ln(10000) / (D/2 − 1)) rounded as torch rounds it (float32 product, float32 exp).
 */
function sinusoids(g: GraphBuilder, frames: string, width: number): string {
  const half = width / 2;
  const increment = Math.fround(-Math.log(10000) / (half - 1));
  const frequencies = Float32Array.from({ length: half }, (_, i) => Math.exp(Math.fround(increment * i))); // [D/2]
  const time = g.node("Cast", [g.node("Range", [g.scalarInt64(0), frames, g.scalarInt64(1)])], { to: attr.int(DataType.FLOAT) }); // [T2]
  const scaled = g.node("Mul", [g.node("Unsqueeze", [time, g.int64s([1])]), g.floats(frequencies, [1, half])]); // [T2, D/2]
  return g.node("Concat", [g.node("Sin", [scaled]), g.node("Cos", [scaled])], { axis: attr.int(1) }); // [T2, D]
}

/** Positions per row [B, T2, D]: the stored table for rows ≤ n_ctx frames, fresh sinusoids for longer ones. */
function positions(g: GraphBuilder, weights: WhisperEncoderWeights, frames: string, lengths: string): string {
  const fresh = sinusoids(g, frames, weights.dims.width); // [T2, D]
  const stored = g.initializer("encoder.positional_embedding", weights.positionalEmbedding); // [ctx, D]
  // Past the table (only reached by padding of short rows in a batch with a long one), any finite rows do.
  const beyond = g.node("Slice", [fresh, g.int64s([weights.contextFrames]), g.int64s([Number.MAX_SAFE_INTEGER]), g.int64s([0])]); // [max(T2 − ctx, 0), D]
  const extended = g.node("Concat", [stored, beyond], { axis: attr.int(0) }); // [max(ctx, T2), D]
  const table = g.node("Slice", [extended, g.int64s([0]), g.node("Unsqueeze", [frames, g.int64s([0])]), g.int64s([0])]); // [T2, D]
  const long = g.node("Reshape", [g.node("Greater", [lengths, g.scalarInt64(weights.contextFrames)]), g.int64s([-1, 1, 1])]); // [B, 1, 1]
  return g.node("Where", [long, fresh, table]); // [B, T2, D]
}

export interface WhisperGraphOptions {
  /** "int8" (fast mode): the projections and the MLP as int8 products, as S3's fast mode. */
  precision?: Precision;
  /**
   * "fused" (for a CPU): onnxruntime's MultiHeadAttention, flash attention, so the [H, T2, T2]
   * scores of a long utterance are never written out and memory grows with T2, not T2².
   * "composite": plain ONNX operators, for every provider.
   */
  attention?: "fused" | "composite";
}

/** mels [B, M, T] float32 + mel_lengths [B] int64 → features [B, T2, D] (rows valid to ceil(len/2)). */
export function buildWhisperFeatureGraph(weights: WhisperEncoderWeights, options: WhisperGraphOptions = {}): ModelProto {
  const g = new GraphBuilder();
  const { dims } = weights;
  const mels = g.input(WHISPER_IO.mels, DataType.FLOAT, ["B", dims.nMels, "T"]);
  const melLengths = g.input(WHISPER_IO.melLengths, DataType.INT64, ["B"]);

  const mask = g.node("Unsqueeze", [toFloat(g, lengthMask(g, melLengths, dimSize(g, mels, 2))), g.int64s([1])]); // [B, 1, T]
  const conv1 = maskedConvGelu(g, mels, mask, weights.conv1, 1, "encoder.conv1"); // [B, D, T]
  const conv2 = maskedConvGelu(g, conv1, mask, weights.conv2, 2, "encoder.conv2"); // [B, D, T2]
  let x = g.node("Transpose", [conv2], { perm: attr.ints([0, 2, 1]) }); // [B, T2, D]
  const lengths = convOutputLength(g, melLengths, 2); // [B]
  const frames = dimSize(g, x, 1); // [] = T2
  const valid = lengthMask(g, lengths, frames); // [B, T2] bool
  const validF = toFloat(g, valid); // [B, T2]
  x = g.node("Add", [x, positions(g, weights, frames, lengths)]); // [B, T2, D]

  const ctx = maskedAttentionContext(g, dims, valid, validF, frames, {
    layerNormStyle: "fused",
    precision: options.precision ?? "exact",
    packed: true,
    fused: (options.attention ?? "fused") === "fused",
  });
  x = ctx.frames.pack(x); // [N, D]
  weights.blocks.forEach((weightsOfBlock, i) => {
    x = transformerBlock(ctx, x, weightsOfBlock, `/blocks.${i}`);
  });
  g.output(WHISPER_IO.features, ctx.frames.unpack(x), DataType.FLOAT, ["B", "T2", dims.width]);
  return g.build("whisper_features", { family: "repcodec" });
}
