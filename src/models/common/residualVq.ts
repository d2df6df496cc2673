/**
 * Residual vector quantisation (EnCodec-style RVQ, as SpeechTokenizer and FunCodec use it).
 * Encode: for each layer in turn the nearest code to the residual, then residual −= that code.
 * Decode: the sum of each row's codebook entries. B = batch, T = frames, D = width, K = codes.
 */
import { attr, type GraphBuilder } from "../../onnx/builder.js";
import { asFloat32, float32Tensor, type TensorData } from "../../onnx/tensor.js";

/** ‖e_k‖² of each codebook row, float32 [K], computed here once instead of per call. */
function squaredNorms(codebook: TensorData): TensorData {
  const [size, width] = codebook.dims as [number, number];
  const values = asFloat32(codebook);
  const norms = new Float32Array(size);
  for (let k = 0; k < size; k++) {
    let sum = 0;
    for (let d = 0; d < width; d++) sum = Math.fround(sum + Math.fround(values[k * width + d]! ** 2));
    norms[k] = sum;
  }
  return float32Tensor([size], norms);
}

/**
 * Codes of x [B, T, D] from the given codebooks ([K, D] each, the layers used, in order):
 * int64 [B, n, T]. The distance is ‖x‖² − 2 x·e + ‖e‖² as upstream, whose argmin picks the code.
 */
export function rvqEncode(g: GraphBuilder, x: string, codebooks: readonly TensorData[], scope: string): string {
  let residual = x; // [B, T, D]
  const rows: string[] = [];
  codebooks.forEach((codebook, i) => {
    const name = `${scope}.${i}`;
    const embed = g.initializer(`${name}.embed`, codebook); // [K, D]
    const transposed = g.node("Transpose", [embed], { perm: attr.ints([1, 0]) }); // [D, K]
    const dot = g.node("MatMul", [residual, transposed]); // [B, T, K]
    const norm = g.node("ReduceSum", [g.node("Mul", [residual, residual]), g.int64s([-1])], { keepdims: attr.int(1) }); // [B, T, 1]
    const distance = g.node("Add", [g.node("Sub", [norm, g.node("Mul", [dot, g.scalarFloat(2)])]), g.initializer(`${name}.embed_norm`, squaredNorms(codebook))]); // [B, T, K]
    const index = g.node("ArgMin", [distance], { axis: attr.int(-1), keepdims: attr.int(0), select_last_index: attr.int(0) }); // [B, T] int64
    rows.push(g.node("Unsqueeze", [index, g.int64s([1])])); // [B, 1, T]
    if (i < codebooks.length - 1) residual = g.node("Sub", [residual, g.node("Gather", [embed, index], { axis: attr.int(0) })]); // [B, T, D]
  });
  return rows.length === 1 ? rows[0]! : g.node("Concat", rows, { axis: attr.int(1) }); // [B, n, T]
}

/**
 * Quantised latent [B, D, T] of codes int64 [B, n, T] whose row i of utterance b was made by layer
 * first[b] + i (int64 [B]): the sum over rows of the layers' entries. `codebooks` are all layers, [K, D] each.
 */
export function rvqDecode(g: GraphBuilder, codes: string, first: string, codebooks: readonly TensorData[], scope: string): string {
  const [size, width] = codebooks[0]!.dims as [number, number];
  const stacked = new Float32Array(codebooks.length * size * width);
  codebooks.forEach((codebook, i) => stacked.set(asFloat32(codebook), i * size * width));
  const table = g.initializer(`${scope}.embed_all`, float32Tensor([codebooks.length * size, width], stacked)); // [L·K, D]
  const rowCount = g.node("Gather", [g.node("Shape", [codes]), g.scalarInt64(1)], { axis: attr.int(0) }); // [] = n
  const rowIndex = g.node("Range", [g.scalarInt64(0), rowCount, g.scalarInt64(1)]); // [n]
  const layer = g.node("Add", [g.node("Unsqueeze", [first, g.int64s([1])]), g.node("Unsqueeze", [rowIndex, g.int64s([0])])]); // [B, n]
  const offset = g.node("Unsqueeze", [g.node("Mul", [layer, g.scalarInt64(size)]), g.int64s([2])]); // [B, n, 1]
  const entries = g.node("Gather", [table, g.node("Add", [codes, offset])], { axis: attr.int(0) }); // [B, n, T, D]
  const sum = g.node("ReduceSum", [entries, g.int64s([1])], { keepdims: attr.int(0) }); // [B, T, D]
  return g.node("Transpose", [sum], { perm: attr.ints([0, 2, 1]) }); // [B, D, T]
}
