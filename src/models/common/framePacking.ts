/**
 * Padding-free frames for the per-frame layers.
 *
 * A batch holds utterances of different lengths padded to the longest: [B, T, D]. Every
 * per-frame layer (the projections, the MLP, LayerNorm, the residual adds, the quantizer) gives
 * each frame's output from that frame alone, so it can run on the real frames only, packed into
 * [N, D] (N = Σ lengths, in batch order). On a CPU those layers are nearly all of the work, so
 * packing makes padding almost free: only the layers that mix frames (the convolutions, the
 * attention products, FSMN) still see it. Each packed row is computed exactly as it would be in a
 * padded or a batch-1 graph (a matrix product's row depends on that row only), so tokens do not
 * change.
 */
import { attr, DataType, type GraphBuilder } from "../../onnx/builder.js";

export interface FrameLayout {
  /** [B, T, D] → the layout the per-frame layers run in ([N, D] packed, or unchanged). */
  pack(x: string): string;
  /** That layout → [B, T, D] for the layers that mix frames. Padded frames hold finite filler. */
  unpack(x: string): string;
  /** Per-frame codes in that layout → [B, T] (padded frames hold filler; mask them). */
  unpackCodes(codes: string): string;
}

/** No packing: the per-frame layers run on [B, T, D] (the released layout, batch 1, no padding). */
export const PADDED_FRAMES: FrameLayout = { pack: (x) => x, unpack: (x) => x, unpackCodes: (codes) => codes };

/**
 * Packing by two row gathers. `valid` [B, T] bool marks real frames, `frames` is T (scalar int64),
 * `width` is D. Frames are gathered in row-major order, so packed row n is the n-th real frame.
 */
export function packedFrames(g: GraphBuilder, valid: string, frames: string, width: number): FrameLayout {
  const validFlat = g.node("Reshape", [valid, g.int64s([-1])]); // [B·T] bool
  const packIndex = g.node("Reshape", [g.node("NonZero", [validFlat]), g.int64s([-1])]); // [N] int64, flat positions of real frames
  // For each flat position, the packed row of the latest real frame at or before it: the frame
  // itself where real; on padding, the utterance's last frame (finite filler that the attention
  // key bias and the FSMN mask discard). Every utterance has ≥ 1 frame, so the index is ≥ 0.
  const realSoFar = g.node("CumSum", [g.node("Cast", [validFlat], { to: attr.int(DataType.INT64) }), g.scalarInt64(0)]); // [B·T] int64
  const unpackIndex = g.node("Sub", [realSoFar, g.scalarInt64(1)]); // [B·T] int64 in [0, N)
  const framesVector = g.node("Unsqueeze", [frames, g.int64s([0])]); // [1] = [T]
  const paddedShape = g.node("Concat", [g.int64s([-1]), framesVector, g.int64s([width])], { axis: attr.int(0) }); // [3] = [B, T, D]
  const codesShape = g.node("Concat", [g.int64s([-1]), framesVector], { axis: attr.int(0) }); // [2] = [B, T]
  const rows = (x: string, index: string) => g.node("Gather", [x, index], { axis: attr.int(0) });
  return {
    pack: (x) => rows(g.node("Reshape", [x, g.int64s([-1, width])]), packIndex), // [N, D]
    unpack: (x) => g.node("Reshape", [rows(x, unpackIndex), paddedShape]), // [B, T, D]
    unpackCodes: (codes) => g.node("Reshape", [rows(codes, unpackIndex), codesShape]), // [B, T]
  };
}
