/**
 * The two quantizers: v1's VQ (nearest codebook row to the L2-normalised frame) and v2/v3's
 * FSQ (8 tanh-bounded projections rounded to {0, 1, 2}, read as base-3 digits).
 * Both map x [B, T, D] to int32 codes [B, T].
 */
import { attr, DataType, type GraphBuilder } from "../../onnx/builder.js";
import type { TensorData } from "../../onnx/tensor.js";
import { linear, type Precision } from "./layers.js";
import { transposed } from "./tensors.js";
import type { LinearWeights } from "./weights.js";

export type QuantizerWeights =
  /** v1: codebook [D, codes], compared against L2-normalised frames. */
  | { kind: "vq"; codebook: TensorData }
  /** v2/v3: projection [D, 8] + bias [8], tanh, scaled by `scale`, rounded to {-1, 0, 1}. */
  | { kind: "fsq"; projection: LinearWeights; scale: number; levels: number };

/** Floor of the L2 norm in the normalisation, as torch.nn.functional.normalize uses. */
const NORM_EPSILON = 1e-12;
/**
 * Candidates the fast mode's int8 codebook product shortlists per frame for the fp32 choice.
 * Measured: on the full-size benchmark v1 model's workload the codes equal the fp32 product's
 * (10 408 of 10 408 tokens), and the fixtures' fast-mode flip rates are unchanged.
 */
export const VQ_SHORTLIST = 8;

/**
 * Codes [N] int32 of frames x [N, D] (or [B, T] of [B, T, D]); `shortlist` for int8 VQ only.
 * `codebookNode` names the exact VQ's codebook product, where a family's released layout has an
 * importer find the codebook by that name.
 */
export function quantize(
  g: GraphBuilder,
  x: string,
  quantizer: QuantizerWeights,
  precision: Precision = "exact",
  shortlist = VQ_SHORTLIST,
  codebookNode?: string,
): string {
  if (quantizer.kind === "fsq") return finiteScalarQuantize(g, x, quantizer);
  return precision === "int8" ? shortlistVectorQuantize(g, x, quantizer.codebook, shortlist) : vectorQuantize(g, x, quantizer.codebook, codebookNode);
}

/** v1's VQ: the nearest codebook column to the L2-normalised frame. */
function vectorQuantize(g: GraphBuilder, x: string, codebook: TensorData, nodeName?: string): string {
  return nearestCode(g, normalizeFrames(g, x), codebook, "quantizer.codebook", nodeName);
}

/**
 * Codes [B, T] int32 of frames x [B, T, D] (or [N] of [N, D]): argmax over codebook columns e of
 * −(‖x‖² − 2x·e + ‖e‖²), codebook [D, C] stored as the initializer `initializerName`. The constant
 * ‖x‖² is kept so the float rounding (and so near-tie decisions) match the references (S3's VQ on
 * normalised frames, RepCodec's forward_index on raw ones). `nodeName` names the codebook product.
 */
export function nearestCode(g: GraphBuilder, x: string, codebook: TensorData, initializerName: string, nodeName?: string): string {
  const embed = g.initializer(initializerName, codebook); // [D, C]
  const selfTerm = g.node("ReduceSumSquare", [x], { axes: attr.ints([-1]), keepdims: attr.int(1) }); // [B, T, 1]
  const cross = g.node("MatMul", [g.node("Mul", [x, g.scalarFloat(2)]), embed], {}, nodeName); // [B, T, C]
  const codeTerm = g.node("ReduceSumSquare", [embed], { axes: attr.ints([0]), keepdims: attr.int(1) }); // [1, C]
  const distance = g.node("Add", [g.node("Sub", [selfTerm, cross]), codeTerm]); // [B, T, C]
  const best = g.node("ArgMax", [g.node("Neg", [distance])], { axis: attr.int(-1), keepdims: attr.int(0) }); // [B, T] int64
  return g.node("Cast", [best], { to: attr.int(DataType.INT32) }); // [B, T] int32
}

/** x / max(‖x‖, ε) along the last axis, as torch.nn.functional.normalize. */
function normalizeFrames(g: GraphBuilder, x: string): string {
  const norm = g.node("ReduceL2", [x], { axes: attr.ints([-1]), keepdims: attr.int(1) }); // [..., 1]
  return g.node("Div", [x, g.node("Max", [norm, g.scalarFloat(NORM_EPSILON)])]); // [..., D]
}

/**
 * The fast mode's VQ, for frames x [N, D] (or [B, T, D]): the codebook product [N, D]·[D, C] in int8
 * (DynamicQuantizeMatMul, 4x less work than fp32, where it was 9 % of a fast v1 pass) shortlists
 * `shortlistSize` codes per frame, and the vectorQuantize distance is then computed in fp32 for
 * those only. The int8 error can only change the code where the best one falls off the list.
 */
function shortlistVectorQuantize(g: GraphBuilder, x: string, codebook: TensorData, shortlistSize: number): string {
  const normalized = normalizeFrames(g, x); // [N, D]
  const twice = g.node("Mul", [normalized, g.scalarFloat(2)]); // [N, D]
  const rows = g.initializer("quantizer.codebook_rows", transposed(codebook)); // [C, D]
  const codeTerm = g.node("ReduceSumSquare", [rows], { axes: attr.ints([1]), keepdims: attr.int(0) }); // [C], folded at load
  // Approximate −distance up to the frame's own constant: 2x·e − ‖e‖².
  const approximate = g.node("Sub", [linear(g, twice, { weight: codebook }, "/quantizer/codebook_int8", "int8"), codeTerm]); // [N, C]
  const [, shortlist] = g.nodeOutputs("TopK", [approximate, g.int64s([shortlistSize])], 2, { axis: attr.int(-1) }); // [N, K] int64
  const candidates = g.node("Gather", [rows, shortlist!], { axis: attr.int(0) }); // [N, K, D]
  const cross = g.node("ReduceSum", [
    g.node("Mul", [candidates, g.node("Unsqueeze", [twice, g.int64s([-2])])]), // [N, K, D]
    g.int64s([-1]),
  ], { keepdims: attr.int(0) }); // [N, K]
  const selfTerm = g.node("ReduceSumSquare", [normalized], { axes: attr.ints([-1]), keepdims: attr.int(1) }); // [N, 1]
  const candidateTerm = g.node("Gather", [codeTerm, shortlist!], { axis: attr.int(0) }); // [N, K]
  const distance = g.node("Add", [g.node("Sub", [selfTerm, cross]), candidateTerm]); // [N, K]
  const pick = g.node("ArgMax", [g.node("Neg", [distance])], { axis: attr.int(-1), keepdims: attr.int(1) }); // [N, 1]
  const best = g.node("Squeeze", [g.node("GatherElements", [shortlist!, pick], { axis: attr.int(-1) }), g.int64s([-1])]); // [N] int64
  return g.node("Cast", [best], { to: attr.int(DataType.INT32) });
}

function finiteScalarQuantize(g: GraphBuilder, x: string, fsq: Extract<QuantizerWeights, { kind: "fsq" }>): string {
  const projected = linear(g, x, fsq.projection, "/quantizer/project_in"); // [B, T, 8]
  const bounded = g.node("Mul", [g.node("Tanh", [projected]), g.scalarFloat(fsq.scale)]); // [B, T, 8] in (−1, 1)
  // ONNX Round is round-half-to-even, as torch.round.
  const digits = g.node("Add", [g.node("Round", [bounded]), g.scalarFloat(1)]); // [B, T, 8] in {0, 1, 2}
  const digitCount = fsq.projection.weight.dims[1]!;
  const powers = Array.from({ length: digitCount }, (_, i) => fsq.levels ** i);
  const weighted = g.node("Mul", [digits, g.floats(powers, [digitCount])]); // [B, T, 8]
  const code = g.node("ReduceSum", [weighted, g.int64s([-1])], { keepdims: attr.int(0) }); // [B, T] float, exact
  return g.node("Cast", [code], { to: attr.int(DataType.INT32) });
}
