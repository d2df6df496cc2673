/**
 * Seeded random tensors for the random-weight checkpoints of RepCodec and the speech encoders
 * (tests and the benchmark): the same seed gives the same tensors on every machine.
 */
import { float32Tensor, type TensorData } from "../../onnx/tensor.js";

/** Seeded tensors of values uniform in [offset − scale, offset + scale]. */
export type RandomTensors = (dims: number[], scale: number, offset?: number) => TensorData;

/** Seeded uniform values in [−scale, scale] (a 32-bit xorshift: deterministic, not cryptographic). */
export function uniformTensors(seed: number): RandomTensors {
  let state = (seed * 2654435761) >>> 0 || 1;
  return (dims, scale, offset = 0) => {
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      values[i] = offset + scale * (2 * (state / 4294967296) - 1);
    }
    return float32Tensor(dims, values);
  };
}
