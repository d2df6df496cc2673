/**
 * RepCodec's two ONNX graphs: features → tokens (encoder, projector, nearest code) and tokens →
 * features (codebook lookup, decoder). Batched equals one at a time: every row's frames past its
 * length are zeroed before every convolution, so a row sees the same zero "same"-padding as when
 * it runs alone (upstream's batching lets the padding leak into the last frames).
 * B = batch, T = frames, D = feature width, C = channels, E = code_dim, K = codebook size.
 */
import { attr, DataType, GraphBuilder } from "../../onnx/builder.js";
import type { ModelProto } from "../../onnx/types.js";
import { dimSize, lengthMask } from "../common/layers.js";
import { nearestCode } from "../common/quantizers.js";
import { transposed } from "../common/tensors.js";
import type { BlockWeights, Conv1dWeights, RepCodecWeights } from "./weights.js";

/** Graph input and output names, the contract with model.ts. */
export const REPCODEC_IO = {
  features: "features",
  tokens: "tokens",
  lengths: "lengths",
  z: "z",
} as const;

/** Per-row masked convolutions over [B, C, T] tensors. */
class MaskedConvs {
  constructor(private readonly g: GraphBuilder, private readonly maskF: string) {}

  /** Conv1d with "same" padding (kernel − 1) / 2 · dilation over x masked to each row's length. */
  conv(x: string, weights: Conv1dWeights, scope: string): string {
    const { g } = this;
    const kernel = weights.weight.dims[2]!;
    const pad = ((kernel - 1) / 2) * weights.dilation;
    // A 1x1 conv mixes channels within a frame only, so padded frames cannot leak through it.
    const input = kernel === 1 ? x : g.node("Mul", [x, this.maskF]); // [B, Cin, T]
    const inputs = [input, g.initializer(`${scope}.weight`, weights.weight)];
    if (weights.bias) inputs.push(g.initializer(`${scope}.bias`, weights.bias));
    return g.node("Conv", inputs, {
      kernel_shape: attr.ints([kernel]),
      dilations: attr.ints([weights.dilation]),
      pads: attr.ints([pad, pad]),
    }, scope); // [B, Cout, T]
  }

  /** x + conv2(ELU(conv1(ELU(x)))), upstream's ResidualUnit. ELU(0) = 0 keeps masked frames zero. */
  residualUnits(x: string, block: BlockWeights, scope: string): string {
    const { g } = this;
    block.units.forEach((unit, u) => {
      const y = this.conv(g.node("Elu", [x], { alpha: attr.float(1) }), unit.conv1, `${scope}.res_units.${u}.conv1`); // [B, C, T]
      const z = this.conv(g.node("Elu", [y], { alpha: attr.float(1) }), unit.conv2, `${scope}.res_units.${u}.conv2`); // [B, C, T]
      x = g.node("Add", [x, z]); // [B, C, T]
    });
    return x;
  }
}

/** The float mask [B, 1, T] of each row's frames below its length, for x of shape [B, T, ...]. */
function frameMask(g: GraphBuilder, lengths: string, timeMajor: string): string {
  const mask = lengthMask(g, lengths, dimSize(g, timeMajor, 1)); // [B, T] bool
  return g.node("Unsqueeze", [g.node("Cast", [mask], { to: attr.int(DataType.FLOAT) }), g.int64s([1])]); // [B, 1, T]
}

/** features [B, T, D] float32 + lengths [B] int64 → tokens [B, T] int32 and z [B, T, E]. */
export function buildEncoderGraph(weights: RepCodecWeights): ModelProto {
  const g = new GraphBuilder();
  const c = weights.config;
  const features = g.input(REPCODEC_IO.features, DataType.FLOAT, ["B", "T", c.input_channels]);
  const lengths = g.input(REPCODEC_IO.lengths, DataType.INT64, ["B"]);
  const convs = new MaskedConvs(g, frameMask(g, lengths, features));

  let x = g.node("Transpose", [features], { perm: attr.ints([0, 2, 1]) }); // [B, D, T]
  x = convs.conv(x, weights.encoder.conv, "encoder.conv"); // [B, C, T]
  weights.encoder.blocks.forEach((block, i) => {
    x = convs.residualUnits(x, block, `encoder.conv_blocks.${i}`);
    x = convs.conv(x, block.conv, `encoder.conv_blocks.${i}.conv`); // [B, C', T]
  });
  const projected = convs.conv(x, weights.projector, "projector"); // [B, E, T]
  const z = g.node("Transpose", [projected], { perm: attr.ints([0, 2, 1]) }); // [B, T, E]

  // Upstream's forward_index: the nearest column of embed [E, K] to the raw (unnormalised) z.
  g.output(REPCODEC_IO.tokens, nearestCode(g, z, weights.embed, "quantizer.embed"), DataType.INT32, ["B", "T"]);
  g.output(REPCODEC_IO.z, z, DataType.FLOAT, ["B", "T", c.code_dim]);
  return g.build("repcodec_encoder", { family: "repcodec" });
}

/** tokens [B, T] int32 + lengths [B] int64 → reconstructed features [B, T, output_channels]. */
export function buildDecoderGraph(weights: RepCodecWeights): ModelProto {
  const g = new GraphBuilder();
  const c = weights.config;
  const tokens = g.input(REPCODEC_IO.tokens, DataType.INT32, ["B", "T"]);
  const lengths = g.input(REPCODEC_IO.lengths, DataType.INT64, ["B"]);
  const convs = new MaskedConvs(g, frameMask(g, lengths, tokens));

  const rows = g.initializer("quantizer.codebook", transposed(weights.embed)); // [K, E] from the stored [E, K]
  const quantized = g.node("Gather", [rows, tokens], { axis: attr.int(0) }); // [B, T, E]
  let x = g.node("Transpose", [quantized], { perm: attr.ints([0, 2, 1]) }); // [B, E, T]
  x = convs.conv(x, weights.decoder.conv1, "decoder.conv1"); // [B, C, T]
  weights.decoder.blocks.forEach((block, i) => {
    x = convs.conv(x, block.conv, `decoder.conv_blocks.${i}.conv`); // [B, C', T]
    x = convs.residualUnits(x, block, `decoder.conv_blocks.${i}`);
  });
  x = convs.conv(x, weights.decoder.conv2, "decoder.conv2"); // [B, D, T]
  const features = g.node("Transpose", [x], { perm: attr.ints([0, 2, 1]) }); // [B, T, D]
  g.output(REPCODEC_IO.features, features, DataType.FLOAT, ["B", "T", c.output_channels]);
  return g.build("repcodec_decoder", { family: "repcodec" });
}
