/**
 * Assembles the batched tokenizer graph shared by every version:
 *   mels [B, n_mels, T] float32, mel_lengths [B] int32
 *   → codes [B, T2] int32 (0 on padding), code_lengths [B] int32.
 * The version files choose the position scheme (table or rotary) and nothing else varies.
 */
import { attr, DataType, GraphBuilder } from "../../onnx/builder.js";
import type { ModelProto } from "../../onnx/types.js";
import { convOutputLength, dimSize, lengthMask, maskedConvGelu, toFloat, unfoldedConvGelu, type LayerNormStyle, type Precision } from "../common/layers.js";
import { quantize, VQ_SHORTLIST } from "../common/quantizers.js";
import { rotaryTables } from "../common/rotary.js";
import { maskedAttentionContext, transformerBlock } from "../common/transformerBlock.js";
import type { BlockWeights, S3Weights } from "./weights.js";

/** Graph input and output names, the contract with the runtime and exported files. */
export const GRAPH_IO = {
  mels: "mels",
  melLengths: "mel_lengths",
  codes: "codes",
  codeLengths: "code_lengths",
} as const;

/** The release's name of the v1 codebook MatMul, by which the importer finds the codebook. */
export const VQ_CODEBOOK_NODE = "/quantizer/rq/model/layers.0/_codebook/MatMul";

export type PositionScheme = "table" | "rotary";

/**
 * How the graph is laid out. "batched" is this project's runtime graph. "released" mimics the
 * released files (their I/O names, batch 1, node names, LayerNorm and weight storage), which the
 * importer reads like a real release: the benchmark and fixture-free tests write those.
 */
export interface GraphLayout {
  io: "batched" | "released";
  layerNorm: LayerNormStyle;
  weightsAsConstantNodes: boolean;
  /** "int8" is the opt-in fast mode; the releases and exact mode are "exact" (fp32). */
  precision?: Precision;
  /**
   * "fused": the attention core is onnxruntime's MultiHeadAttention (flash attention on a CPU);
   * "composite" (default): plain ONNX operators, as the releases have it, for every provider.
   */
  attention?: "composite" | "fused";
  /** Composite attention only: heads scored at once (all when absent); see webgpuPlan. */
  headsPerGroup?: number;
}

export const BATCHED_LAYOUT: GraphLayout = { io: "batched", layerNorm: "fused", weightsAsConstantNodes: false, precision: "exact" };
export const FAST_LAYOUT: GraphLayout = { ...BATCHED_LAYOUT, precision: "int8" };

/** The released files' graph input and output names. */
export const RELEASED_IO = { feats: "feats", featsLength: "feats_length", indices: "indices" } as const;

export function buildTokenizerGraph(weights: S3Weights, positions: PositionScheme, layout: GraphLayout = BATCHED_LAYOUT): ModelProto {
  const g = new GraphBuilder({ weightsAsConstantNodes: layout.weightsAsConstantNodes });
  const { dims } = weights;
  const released = layout.io === "released";
  const batch = released ? 1 : "batch";
  const mels = g.input(released ? RELEASED_IO.feats : GRAPH_IO.mels, DataType.FLOAT, [batch, dims.nMels, "frames"]); // [B, M, T]
  const melLengths = g.input(released ? RELEASED_IO.featsLength : GRAPH_IO.melLengths, DataType.INT32, [batch]); // [B]

  // Convolutional front end: each conv sees its input with padded frames zeroed.
  const lengths0 = g.node("Cast", [melLengths], { to: attr.int(DataType.INT64) }); // [B]
  const mask0 = g.node("Unsqueeze", [toFloat(g, lengthMask(g, lengths0, dimSize(g, mels, 2))), g.int64s([1])]); // [B, 1, T]
  const conv1 = maskedConvGelu(g, mels, mask0, weights.conv1, dims.conv1Stride, "/conv1/Conv"); // [B, D, T1]
  const lengths1 = convOutputLength(g, lengths0, dims.conv1Stride); // [B]
  const mask1 = g.node("Unsqueeze", [toFloat(g, lengthMask(g, lengths1, dimSize(g, conv1, 2))), g.int64s([1])]); // [B, 1, T1]
  const precision = layout.precision ?? "exact";
  // Fast mode makes conv2 (the larger convolution) an int8 product too, but only before a VQ
  // quantizer. Measured on the fixtures: VQ flips unchanged (v1 2.15 -> 2.22 %) for 6 % more
  // speed; FSQ, whose rounding edges make it far more sensitive, 9.2 -> 12.8 % (v2) for 7 %.
  let x = precision === "int8" && weights.quantizer.kind === "vq"
    ? unfoldedConvGelu(g, conv1, mask1, weights.conv2, 2, "/conv2/Conv") // [B, T2, D]
    : g.node("Transpose", [maskedConvGelu(g, conv1, mask1, weights.conv2, 2, "/conv2/Conv")], { perm: attr.ints([0, 2, 1]) }); // [B, T2, D]
  const lengths2 = convOutputLength(g, lengths1, 2); // [B]
  const frames2 = dimSize(g, x, 1); // [] = T2
  const valid = lengthMask(g, lengths2, frames2); // [B, T2] bool
  const validF = toFloat(g, valid); // [B, T2]

  const ctx = maskedAttentionContext(g, dims, valid, validF, frames2, {
    layerNormStyle: layout.layerNorm,
    precision,
    // The released layout is batch 1 without padding, so packing would only add gathers there.
    packed: !released,
    fused: layout.attention === "fused",
  });
  if (layout.headsPerGroup !== undefined) ctx.headsPerGroup = layout.headsPerGroup;
  if (positions === "table") {
    if (!weights.positionalEmbedding) throw new Error("position table scheme needs a positional embedding");
    const table = g.initializer("positional_embedding", weights.positionalEmbedding); // [ctx, D]
    const end = g.node("Unsqueeze", [frames2, g.int64s([0])]); // [1]
    const rows = g.node("Slice", [table, g.int64s([0]), end, g.int64s([0])], {}, "/encoder/Slice"); // [T2, D]
    x = g.node("Add", [x, rows]);
  } else {
    ctx.rotary = rotaryTables(g, frames2, dims.headDim);
  }

  x = ctx.frames.pack(x); // [N, D] real frames (or [B, T2, D] unchanged)
  weights.blocks.forEach((block, i) => {
    x = transformerBlock(ctx, x, block, `/blocks.${i}`);
  });

  const codes = ctx.frames.unpackCodes(quantize(g, x, weights.quantizer, precision, VQ_SHORTLIST, VQ_CODEBOOK_NODE)); // [B, T2] int32, filler on padding
  if (released) {
    // The v1 releases answer int64 indices, v2/v3 int32.
    const type = weights.version === "v1" ? DataType.INT64 : DataType.INT32;
    const indices = type === DataType.INT32 ? codes : g.node("Cast", [codes], { to: attr.int(type) });
    g.output(RELEASED_IO.indices, indices, type, [1, "code_frames"]);
  } else {
    const maskedCodes = g.node("Where", [valid, codes, g.node("Cast", [g.scalarInt64(0)], { to: attr.int(DataType.INT32) })]);
    g.output(GRAPH_IO.codes, maskedCodes, DataType.INT32, ["batch", "code_frames"]);
    g.output(GRAPH_IO.codeLengths, g.node("Cast", [lengths2], { to: attr.int(DataType.INT32) }), DataType.INT32, ["batch"]);
  }
  return g.build(`s3tokenizer_${weights.version}`, {
    "s3tokenizer.version": weights.version,
    "s3tokenizer.token_rate": String(dims.tokenRate),
    "s3tokenizer.codebook_size": String(dims.codebookSize),
  });
}
