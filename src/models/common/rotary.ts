/**
 * Rotary position embedding of the v2/v3 encoders, computed inside the graph so any length
 * works: for position p and index i of a head of dim K, angle = p · 10000^(−2(i mod K/2)/K),
 * and x' = x·cos + rot(x)·sin with rot(x) = [−x[K/2:], x[:K/2]] ("rotate half").
 */
import { attr, type GraphBuilder } from "../../onnx/builder.js";

const ROPE_BASE = 10000;

/**
 * Inverse frequencies [K], float32, computed as the reference does in fp32:
 * 1 / base^(2j/K) for j < K/2, repeated for the second half.
 */
export function inverseFrequencies(headDim: number): Float32Array {
  const half = headDim / 2;
  const frequencies = new Float32Array(headDim); // [K]
  for (let j = 0; j < half; j++) {
    const exponent = Math.fround(Math.fround(2 * j) / headDim);
    const power = Math.fround(Math.pow(ROPE_BASE, exponent));
    const inverse = Math.fround(1 / power);
    frequencies[j] = inverse;
    frequencies[j + half] = inverse;
  }
  return frequencies;
}

export interface RotaryTables {
  /** [1, T, 1, K] */
  cos: string;
  /** [1, T, 1, K] */
  sin: string;
}

/** cos and sin tables for positions 0..T−1, T a scalar int64 tensor. */
export function rotaryTables(g: GraphBuilder, size: string, headDim: number): RotaryTables {
  const positions = g.node("Range", [g.scalarInt64(0), size, g.scalarInt64(1)]); // [T] int64
  const asFloat = g.node("Cast", [positions], { to: attr.int(1) }); // [T]
  const column = g.node("Unsqueeze", [asFloat, g.int64s([1])]); // [T, 1]
  const angles = g.node("Mul", [column, g.floats(inverseFrequencies(headDim), [1, headDim])]); // [T, K]
  const broadcastShape = g.int64s([1, -1, 1, headDim]);
  return {
    cos: g.node("Reshape", [g.node("Cos", [angles]), broadcastShape]), // [1, T, 1, K]
    sin: g.node("Reshape", [g.node("Sin", [angles]), broadcastShape]), // [1, T, 1, K]
  };
}

/** Applies the rotation to x [B, T, H, K]. */
export function applyRotary(g: GraphBuilder, x: string, tables: RotaryTables, headDim: number): string {
  const half = headDim / 2;
  const [first, second] = g.nodeOutputs("Split", [x, g.int64s([half, half])], 2, { axis: attr.int(-1) }); // [B, T, H, K/2] each
  const rotated = g.node("Concat", [g.node("Neg", [second!]), first!], { axis: attr.int(-1) }); // [B, T, H, K]
  const direct = g.node("Mul", [x, tables.cos]);
  const turned = g.node("Mul", [rotated, tables.sin]);
  return g.node("Add", [direct, turned]); // [B, T, H, K]
}
