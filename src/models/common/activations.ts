/** Pointwise activations of the SEANet codecs, over x [B, C, T]. */
import { attr, type GraphBuilder } from "../../onnx/builder.js";
import { asFloat32, float32Tensor, type TensorData } from "../../onnx/tensor.js";

/** ELU with alpha 1 (torch.nn.ELU's default). */
export function elu(g: GraphBuilder, x: string): string {
  return g.node("Elu", [x], { alpha: attr.float(1) }); // [B, C, T]
}

/**
 * Snake: x + 1/(alpha + 1e-9) · sin(alpha · x)², alpha per channel ([1, C, 1]). The reciprocal
 * is taken here in float32 as torch does, so the graph only multiplies.
 */
export function snake(g: GraphBuilder, x: string, alpha: TensorData, scope: string): string {
  const a = asFloat32(alpha); // [1, C, 1]
  const inverse = Float32Array.from(a, (value) => 1 / Math.fround(value + 1e-9));
  const alphaName = g.initializer(`${scope}.alpha`, alpha);
  const inverseName = g.initializer(`${scope}.alpha_inverse`, float32Tensor([...alpha.dims], inverse));
  const sine = g.node("Sin", [g.node("Mul", [x, alphaName])]); // [B, C, T]
  const squared = g.node("Mul", [sine, sine]); // [B, C, T]
  return g.node("Add", [x, g.node("Mul", [squared, inverseName])]); // [B, C, T]
}
