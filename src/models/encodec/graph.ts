/**
 * EnCodec's two ONNX graphs, walked from the SEANet module list (common/seanetLayout.ts) with the
 * family-neutral pieces: reflect-padded convs at each row's own length (all on the left for the
 * causal 24 kHz model), weight norm folded, or GroupNorm(1, C) after every conv over the row's
 * real frames (48 kHz; in transposed convs before the trim, as upstream), LSTMs with per-row
 * sequence lengths. So every row of a padded batch gives what it gives alone; a row is one
 * segment of one utterance (the model cuts and normalises segments outside the graph).
 *   encode: audio [B, C, L] (each row already divided by its scale), lengths [B]
 *           → codes int64 [B, Q, T] (all Q layers; callers keep a prefix), frames [B], latent [B, D, T]
 *   decode: codes int64 [B, n, T] (layers 0..n−1), frames [B] → audio [B, C, hop·T], samples [B]
 * B = rows, C = audio channels, L = samples, T = code frames, Q = layers, D = latent width.
 */
import { attr, DataType, GraphBuilder } from "../../onnx/builder.js";
import type { ModelProto } from "../../onnx/types.js";
import { elu } from "../common/activations.js";
import { maskedGroupNorm } from "../common/groupNorm.js";
import { slstm } from "../common/lstm.js";
import { paddedConv1d, trimmedConvTranspose1d, type Rows } from "../common/paddedConv.js";
import { rvqDecode, rvqEncode } from "../common/residualVq.js";
import { decoderSteps, encoderSteps, residualConvs, type Step } from "../common/seanetLayout.js";
import type { EncodecWeights } from "./weights.js";

/** torch.nn.GroupNorm's default epsilon, which upstream's time_group_norm keeps. */
const GROUP_NORM_EPS = 1e-5;

/** Builds the graph of a module list over rows, one helper per module kind. */
class SeanetWalker {
  constructor(
    private readonly g: GraphBuilder,
    private readonly weights: EncodecWeights,
  ) {}

  private get causal(): boolean {
    return this.weights.config.causal;
  }

  /** The GroupNorm after a conv (time_group_norm models), over each row's real frames; otherwise x as it is. */
  private normed(rows: Rows, name: string): string {
    const norm = this.weights.conv(name).norm;
    return norm ? maskedGroupNorm(this.g, rows.x, rows.lengths, { ...norm, epsilon: GROUP_NORM_EPS }, `${name}.norm`) : rows.x;
  }

  /** SConv1d: [B, in, T] → [B, out, T'] (T' = ⌈T / stride⌉). */
  private conv(rows: Rows, step: Step): Rows {
    if (step.kind !== "conv") throw new Error(`${step.name} is not a convolution`);
    const y = paddedConv1d(this.g, rows, this.weights.conv(step.name), { stride: step.stride, dilation: step.dilation, causal: this.causal }, step.name);
    return { x: this.normed(y, step.name), lengths: y.lengths };
  }

  /** SConvTranspose1d: [B, in, T] → [B, out, r·T]; the norm sees the untrimmed output. */
  private convTranspose(rows: Rows, step: Extract<Step, { kind: "convtr" }>): Rows {
    const params = this.weights.conv(step.name);
    const beforeTrim = params.norm ? (full: Rows) => this.normed(full, step.name) : undefined;
    // Polyphase: onnxruntime's ConvTranspose was 40 % of a 24 kHz decode; the kernel-2 Conv form is several times faster.
    return trimmedConvTranspose1d(this.g, rows, params, step.stride, step.name, beforeTrim, this.causal, true);
  }

  /** SEANetResnetBlock: shortcut(x) + conv1x1(elu(conv_k(elu(x)))); [B, C, T] → [B, C, T]. */
  private residual(rows: Rows, step: Extract<Step, { kind: "residual" }>): Rows {
    const convs = residualConvs(step);
    const hidden = this.conv({ x: elu(this.g, rows.x), lengths: rows.lengths }, convs.first); // [B, C/2, T]
    const block = this.conv({ x: elu(this.g, hidden.x), lengths: rows.lengths }, convs.second); // [B, C, T]
    const shortcut = this.conv(rows, convs.shortcut); // [B, C, T]
    return { x: this.g.node("Add", [shortcut.x, block.x]), lengths: rows.lengths };
  }

  run(input: Rows, steps: readonly Step[]): Rows {
    let rows = input;
    for (const step of steps) {
      switch (step.kind) {
        case "conv": rows = this.conv(rows, step); break;
        case "convtr": rows = this.convTranspose(rows, step); break;
        case "act": rows = { x: elu(this.g, rows.x), lengths: rows.lengths }; break;
        case "lstm": rows = { x: slstm(this.g, rows.x, rows.lengths, this.weights.lstm(step.name), step.name), lengths: rows.lengths }; break;
        case "residual": rows = this.residual(rows, step); break;
      }
    }
    return rows;
  }
}

export function buildEncodeGraph(weights: EncodecWeights): ModelProto {
  const { config } = weights;
  const g = new GraphBuilder();
  const audio = g.input("audio", DataType.FLOAT, ["B", config.audioChannels, "L"]); // [B, C, L]
  const lengths = g.input("lengths", DataType.INT64, ["B"]); // [B]
  const latent = new SeanetWalker(g, weights).run({ x: audio, lengths }, encoderSteps(config)); // [B, D, T]
  const timeMajor = g.node("Transpose", [latent.x], { perm: attr.ints([0, 2, 1]) }); // [B, T, D]
  g.output("codes", rvqEncode(g, timeMajor, weights.codebooks, "quantizer"), DataType.INT64, ["B", config.nQ, "T"]);
  g.output("frames", latent.lengths, DataType.INT64, ["B"]);
  g.output("latent", latent.x, DataType.FLOAT, ["B", config.dimension, "T"]);
  return g.build("encodec_encode", { family: "encodec" });
}

export function buildDecodeGraph(weights: EncodecWeights): ModelProto {
  const { config } = weights;
  const g = new GraphBuilder();
  const codes = g.input("codes", DataType.INT64, ["B", "n", "T"]); // [B, n, T]
  const frames = g.input("frames", DataType.INT64, ["B"]); // [B]
  const firstLayer = g.node("Mul", [frames, g.scalarInt64(0)]); // [B] zeros: row i is layer i
  const latent = rvqDecode(g, codes, firstLayer, weights.codebooks, "quantizer"); // [B, D, T]
  const out = new SeanetWalker(g, weights).run({ x: latent, lengths: frames }, decoderSteps(config)); // [B, C, hop·T]
  g.output("audio", out.x, DataType.FLOAT, ["B", config.audioChannels, "S"]);
  g.output("samples", out.lengths, DataType.INT64, ["B"]);
  return g.build("encodec_decode", { family: "encodec" });
}
