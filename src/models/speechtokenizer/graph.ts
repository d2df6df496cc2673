/**
 * SpeechTokenizer's ONNX graphs, built from the module list in layout.ts. Every row of a batch
 * carries its own length through every step (per-row padding, masked transposed convs, LSTM
 * sequence_lens), so a batch gives what each utterance gives alone.
 * B = batch, L = samples, T = code frames, D = dimension, n = code rows.
 */
import { attr, DataType, GraphBuilder } from "../../onnx/builder.js";
import type { ModelProto } from "../../onnx/types.js";
import { elu, snake } from "../common/activations.js";
import { slstm } from "../common/lstm.js";
import { paddedConv1d, trimmedConvTranspose1d, type Rows } from "../common/paddedConv.js";
import { rvqDecode, rvqEncode } from "../common/residualVq.js";
import { decoderSteps, encoderSteps, residualConvs, type Step } from "./layout.js";
import type { SpeechTokenizerWeights } from "./weights.js";

function activation(g: GraphBuilder, x: string, weights: SpeechTokenizerWeights, name: string): string {
  return weights.config.activation === "Snake" ? snake(g, x, weights.alpha(name), name) : elu(g, x); // [B, C, T]
}

function conv(g: GraphBuilder, rows: Rows, weights: SpeechTokenizerWeights, step: Step): Rows {
  if (step.kind !== "conv") throw new Error(`${step.name} is not a convolution`);
  return paddedConv1d(g, rows, weights.conv(step.name), { stride: step.stride, dilation: step.dilation }, step.name);
}

/** Runs SEANet modules over rows x [B, C, T] (their lengths change only at strided steps). */
export function runSteps(g: GraphBuilder, input: Rows, steps: readonly Step[], weights: SpeechTokenizerWeights): Rows {
  let rows = input;
  for (const step of steps) {
    if (step.kind === "conv") rows = conv(g, rows, weights, step);
    else if (step.kind === "convtr") rows = trimmedConvTranspose1d(g, rows, weights.conv(step.name), step.stride, step.name);
    else if (step.kind === "act") rows = { x: activation(g, rows.x, weights, step.name), lengths: rows.lengths };
    else if (step.kind === "lstm") {
      rows = { x: slstm(g, rows.x, rows.lengths, weights.lstm(step.name, step.layers, step.bidirectional), step.name), lengths: rows.lengths };
    } else {
      // SEANetResnetBlock: shortcut(x) + [act, conv k, act, conv 1](x); every conv keeps the length.
      const convs = residualConvs(step);
      const a = { x: activation(g, rows.x, weights, `${step.name}.block.0`), lengths: rows.lengths };
      const hidden = conv(g, a, weights, convs.first); // [B, C/2, T]
      const b = { x: activation(g, hidden.x, weights, `${step.name}.block.2`), lengths: rows.lengths };
      const block = conv(g, b, weights, convs.second); // [B, C, T]
      const shortcut = conv(g, rows, weights, convs.shortcut); // [B, C, T]
      rows = { x: g.node("Add", [shortcut.x, block.x]), lengths: rows.lengths };
    }
  }
  return rows;
}

/** The encoder's modules before its LSTM (convolutions only: these run in chunks on long audio) and from it on. */
export function splitEncoder(steps: readonly Step[]): { front: Step[]; back: Step[] } {
  const lstm = steps.findIndex((step) => step.kind === "lstm");
  return { front: steps.slice(0, lstm), back: steps.slice(lstm) };
}

/** Encoder front: audio [B, L] float + lengths [B] int64 → features [B, C, T] (the LSTM's input) + lengths [B]. */
export function buildEncoderFrontGraph(weights: SpeechTokenizerWeights): ModelProto {
  const g = new GraphBuilder();
  const audio = g.input("audio", DataType.FLOAT, ["B", "L"]);
  const lengths = g.input("lengths", DataType.INT64, ["B"]);
  const x = g.node("Unsqueeze", [audio, g.int64s([1])]); // [B, 1, L]
  const { front } = splitEncoder(encoderSteps(weights.config));
  const features = runSteps(g, { x, lengths }, front, weights); // [B, C, T]
  g.output("features", features.x, DataType.FLOAT, ["B", "C", "T"]);
  g.output("feature_lengths", features.lengths, DataType.INT64, ["B"]);
  return g.build("speechtokenizer_encoder_front", { family: "speechtokenizer" });
}

/** Latent [B, D, T] → codes [B, n, T] of layers first .. first + n − 1 (the residual starts from the latent at layer first, as upstream's encode(x, n_q, st)). */
function quantize(g: GraphBuilder, latent: string, weights: SpeechTokenizerWeights, first: number, count: number): string {
  const timeMajor = g.node("Transpose", [latent], { perm: attr.ints([0, 2, 1]) }); // [B, T, D]
  return rvqEncode(g, timeMajor, weights.codebooks.slice(first, first + count), "quantizer"); // [B, n, T]
}

function encoderOutputs(g: GraphBuilder, latent: Rows, weights: SpeechTokenizerWeights): ModelProto {
  const { nQ, dimension } = weights.config;
  g.output("codes", quantize(g, latent.x, weights, 0, nQ), DataType.INT64, ["B", nQ, "T"]);
  g.output("code_lengths", latent.lengths, DataType.INT64, ["B"]);
  g.output("latent", latent.x, DataType.FLOAT, ["B", dimension, "T"]);
  return g.build("speechtokenizer_encode", { family: "speechtokenizer" });
}

/**
 * Encoder back: features [B, C, T] + lengths [B] → codes [B, nQ, T] int64 (all layers), code
 * lengths [B], and the encoder's output ("latent" [B, D, T], upstream's model.encoder(x)).
 */
export function buildEncoderBackGraph(weights: SpeechTokenizerWeights): ModelProto {
  const g = new GraphBuilder();
  const channels = weights.config.nFilters * 2 ** weights.config.strides.length;
  const x = g.input("features", DataType.FLOAT, ["B", channels, "T"]);
  const lengths = g.input("lengths", DataType.INT64, ["B"]);
  const { back } = splitEncoder(encoderSteps(weights.config));
  return encoderOutputs(g, runSteps(g, { x, lengths }, back, weights), weights);
}

/**
 * The whole encoder in one graph: audio [B, L] float + lengths [B] int64 → codes [B, nQ, T] int64,
 * code lengths [B] and latent [B, D, T] (for export; the model runs the front and back graphs).
 */
export function buildEncodeGraph(weights: SpeechTokenizerWeights): ModelProto {
  const g = new GraphBuilder();
  const audio = g.input("audio", DataType.FLOAT, ["B", "L"]);
  const lengths = g.input("lengths", DataType.INT64, ["B"]);
  const x = g.node("Unsqueeze", [audio, g.int64s([1])]); // [B, 1, L]
  return encoderOutputs(g, runSteps(g, { x, lengths }, encoderSteps(weights.config), weights), weights);
}

/** The decoder's modules up to its LSTM (run over the whole utterance) and after it (convolutions only: chunked on long codes). */
export function splitDecoder(steps: readonly Step[]): { front: Step[]; back: Step[] } {
  const lstm = steps.findIndex((step) => step.kind === "lstm");
  return { front: steps.slice(0, lstm + 1), back: steps.slice(lstm + 1) };
}

function decoderInputs(g: GraphBuilder, weights: SpeechTokenizerWeights): Rows {
  const codes = g.input("codes", DataType.INT64, ["B", "n", "T"]);
  const lengths = g.input("lengths", DataType.INT64, ["B"]);
  const first = g.input("first", DataType.INT64, ["B"]);
  return { x: rvqDecode(g, codes, first, weights.codebooks, "quantizer"), lengths }; // [B, D, T]
}

function audioOutputs(g: GraphBuilder, out: Rows, name: string): ModelProto {
  const audio = g.node("Squeeze", [out.x, g.int64s([1])]); // [B, hop·T]
  g.output("audio", audio, DataType.FLOAT, ["B", "S"]);
  g.output("audio_lengths", out.lengths, DataType.INT64, ["B"]);
  return g.build(name, { family: "speechtokenizer" });
}

/**
 * Decode graph: codes [B, n, T] int64 + lengths [B] int64 + first [B] int64 (the quantizer layer
 * of each row's code row 0, upstream's st) → audio [B, hop · T] and its lengths [B] (hop · T_b).
 * For export; the model runs the front and back graphs.
 */
export function buildDecodeGraph(weights: SpeechTokenizerWeights): ModelProto {
  const g = new GraphBuilder();
  const out = runSteps(g, decoderInputs(g, weights), decoderSteps(weights.config), weights); // [B, 1, hop·T]
  return audioOutputs(g, out, "speechtokenizer_decode");
}

/** Decoder front: codes, lengths, first (as buildDecodeGraph) → features [B, C, T] after the LSTM + lengths [B]. */
export function buildDecoderFrontGraph(weights: SpeechTokenizerWeights): ModelProto {
  const g = new GraphBuilder();
  const { front } = splitDecoder(decoderSteps(weights.config));
  const features = runSteps(g, decoderInputs(g, weights), front, weights); // [B, C, T]
  g.output("features", features.x, DataType.FLOAT, ["B", "C", "T"]);
  g.output("feature_lengths", features.lengths, DataType.INT64, ["B"]);
  return g.build("speechtokenizer_decoder_front", { family: "speechtokenizer" });
}

/** Decoder back: features [B, C, T] + lengths [B] → audio [B, hop · T] + lengths [B]. */
export function buildDecoderBackGraph(weights: SpeechTokenizerWeights): ModelProto {
  const g = new GraphBuilder();
  const channels = weights.config.nFilters * 2 ** weights.config.strides.length;
  const x = g.input("features", DataType.FLOAT, ["B", channels, "T"]);
  const lengths = g.input("lengths", DataType.INT64, ["B"]);
  const { back } = splitDecoder(decoderSteps(weights.config));
  return audioOutputs(g, runSteps(g, { x, lengths }, back, weights), "speechtokenizer_decoder_back");
}

/**
 * Quantize graph for encodes that start past layer 0: latent [B, D, T] → codes [B, n, T] of layers
 * first .. first + n − 1. Frames are independent here, so padding frames cannot reach real ones.
 */
export function buildQuantizeGraph(weights: SpeechTokenizerWeights, first: number, count: number): ModelProto {
  const g = new GraphBuilder();
  const latent = g.input("latent", DataType.FLOAT, ["B", weights.config.dimension, "T"]);
  g.output("codes", quantize(g, latent, weights, first, count), DataType.INT64, ["B", count, "T"]);
  return g.build("speechtokenizer_quantize", { family: "speechtokenizer" });
}
