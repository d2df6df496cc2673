/**
 * The two quantizers: v1's VQ (nearest codebook row to the L2-normalised frame) and v2/v3's
 * FSQ (8 tanh-bounded projections rounded to {0, 1, 2}, read as base-3 digits).
 * Both map x [B, T, D] to int32 codes [B, T].
 */
import { attr, DataType, type GraphBuilder } from "../onnx/builder.js";
import { linear } from "./layers.js";
import type { QuantizerWeights } from "./weights.js";

/** Floor of the L2 norm in the normalisation, as torch.nn.functional.normalize uses. */
const NORM_EPSILON = 1e-12;
/** The release's name of the codebook MatMul, by which the importer finds the codebook. */
export const VQ_CODEBOOK_NODE = "/quantizer/rq/model/layers.0/_codebook/MatMul";

export function quantize(g: GraphBuilder, x: string, quantizer: QuantizerWeights): string {
  return quantizer.kind === "vq" ? vectorQuantize(g, x, quantizer.codebook) : finiteScalarQuantize(g, x, quantizer);
}

/**
 * code = argmax_e −(‖x‖² − 2x·e + ‖e‖²) over codebook columns e, with x normalised. The
 * constant ‖x‖² is kept so the float rounding (and so near-tie decisions) match the reference.
 */
function vectorQuantize(g: GraphBuilder, x: string, codebook: Parameters<GraphBuilder["initializer"]>[1]): string {
  const norm = g.node("ReduceL2", [x], { axes: attr.ints([-1]), keepdims: attr.int(1) }); // [B, T, 1]
  const normalized = g.node("Div", [x, g.node("Max", [norm, g.scalarFloat(NORM_EPSILON)])]); // [B, T, D]
  const embed = g.initializer("quantizer.codebook", codebook); // [D, C]
  const selfTerm = g.node("ReduceSumSquare", [normalized], { axes: attr.ints([-1]), keepdims: attr.int(1) }); // [B, T, 1]
  const cross = g.node("MatMul", [g.node("Mul", [normalized, g.scalarFloat(2)]), embed], {}, VQ_CODEBOOK_NODE); // [B, T, C]
  const codeTerm = g.node("ReduceSumSquare", [embed], { axes: attr.ints([0]), keepdims: attr.int(1) }); // [1, C]
  const distance = g.node("Add", [g.node("Sub", [selfTerm, cross]), codeTerm]); // [B, T, C]
  const best = g.node("ArgMax", [g.node("Neg", [distance])], { axis: attr.int(-1), keepdims: attr.int(0) }); // [B, T] int64
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
