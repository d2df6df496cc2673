/**
 * The modules of a SEANet encoder and decoder (SpeechTokenizer, EnCodec), in order, with their
 * state-dict names and sizes, derived from the network's shape. The weight checks and the graph
 * builders walk this one list, so they cannot disagree on what a module is.
 */
import type { ConvGeometry } from "./chunkPlan.js";

/** What shapes a SEANet: the fields SpeechTokenizer's config and EnCodec's release facts share. */
export interface SeanetShape {
  nFilters: number;
  /** Decoder order; the encoder runs them reversed. Their product is the hop. */
  strides: readonly number[];
  /** Latent width. */
  dimension: number;
  /** Whether the encoder's LSTM is bidirectional (the decoder's never is). */
  bidirectional: boolean;
  dilationBase: number;
  residualKernelSize: number;
  nResidualLayers: number;
  lstmLayers: number;
  /** Audio channels in and out (default 1). */
  audioChannels?: number;
}

export type Step =
  | { kind: "conv"; name: string; inChannels: number; outChannels: number; kernel: number; stride: number; dilation: number }
  | { kind: "convtr"; name: string; inChannels: number; outChannels: number; stride: number }
  | { kind: "act"; name: string; channels: number }
  | { kind: "residual"; name: string; channels: number; hidden: number; kernel: number; dilation: number }
  | { kind: "lstm"; name: string; channels: number; layers: number; bidirectional: boolean };

const conv = (name: string, inChannels: number, outChannels: number, kernel: number, stride = 1, dilation = 1): Step =>
  ({ kind: "conv", name, inChannels, outChannels, kernel, stride, dilation });

/** SEANetEncoder: conv 7; per stride (reversed): residual blocks, act, strided conv; SLSTM; act; conv 7. */
export function encoderSteps(shape: SeanetShape): Step[] {
  const steps: Step[] = [];
  const at = (): string => `encoder.model.${steps.length}`;
  let channels = shape.nFilters;
  steps.push(conv(at(), shape.audioChannels ?? 1, channels, 7));
  for (const stride of [...shape.strides].reverse()) {
    for (let j = 0; j < shape.nResidualLayers; j++) {
      steps.push({ kind: "residual", name: at(), channels, hidden: channels / 2, kernel: shape.residualKernelSize, dilation: shape.dilationBase ** j });
    }
    steps.push({ kind: "act", name: at(), channels });
    steps.push(conv(at(), channels, channels * 2, stride * 2, stride));
    channels *= 2;
  }
  steps.push({ kind: "lstm", name: at(), channels, layers: shape.lstmLayers, bidirectional: shape.bidirectional });
  const lstmOut = shape.bidirectional ? channels * 2 : channels;
  steps.push({ kind: "act", name: at(), channels: lstmOut });
  steps.push(conv(at(), lstmOut, shape.dimension, 7));
  return steps;
}

/** SEANetDecoder: conv 7; unidirectional SLSTM; per stride: act, transposed conv, residual blocks; act; conv 7. */
export function decoderSteps(shape: SeanetShape): Step[] {
  const steps: Step[] = [];
  const at = (): string => `decoder.model.${steps.length}`;
  let channels = shape.nFilters * 2 ** shape.strides.length;
  steps.push(conv(at(), shape.dimension, channels, 7));
  steps.push({ kind: "lstm", name: at(), channels, layers: shape.lstmLayers, bidirectional: false });
  for (const stride of shape.strides) {
    steps.push({ kind: "act", name: at(), channels });
    steps.push({ kind: "convtr", name: at(), inChannels: channels, outChannels: channels / 2, stride });
    channels /= 2;
    for (let j = 0; j < shape.nResidualLayers; j++) {
      steps.push({ kind: "residual", name: at(), channels, hidden: channels / 2, kernel: shape.residualKernelSize, dilation: shape.dilationBase ** j });
    }
  }
  steps.push({ kind: "act", name: at(), channels });
  steps.push(conv(at(), channels, shape.audioChannels ?? 1, 7));
  return steps;
}

/** The plain convolutions inside a residual block: block.1 (k, dilated), block.3 (1×1) and the 1×1 shortcut. */
export function residualConvs(step: Extract<Step, { kind: "residual" }>): { first: Step; second: Step; shortcut: Step } {
  return {
    first: conv(`${step.name}.block.1`, step.channels, step.hidden, step.kernel, 1, step.dilation),
    second: conv(`${step.name}.block.3`, step.hidden, step.channels, 1),
    shortcut: conv(`${step.name}.shortcut`, step.channels, step.channels, 1),
  };
}

/** The convolutions of a module list, in order (a residual block's own ones included), as chunk planning sees them. */
export function convGeometry(steps: readonly Step[]): ConvGeometry[] {
  return steps.flatMap((step): ConvGeometry[] => {
    if (step.kind === "conv") return [{ kernel: step.kernel, stride: step.stride, dilation: step.dilation }];
    if (step.kind === "convtr") return [{ kernel: 2 * step.stride, stride: step.stride, dilation: 1, transposed: true }];
    if (step.kind === "residual") return convGeometry(Object.values(residualConvs(step)));
    return [];
  });
}

/** The torch LSTM tensors of an SLSTM module, name → shape. */
export function lstmTensorShapes(step: Extract<Step, { kind: "lstm" }>): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const directions = step.bidirectional ? ["", "_reverse"] : [""];
  for (let layer = 0; layer < step.layers; layer++) {
    const width = layer === 0 ? step.channels : step.channels * directions.length;
    for (const suffix of directions) {
      const prefix = `${step.name}.lstm`;
      shapes.set(`${prefix}.weight_ih_l${layer}${suffix}`, [4 * step.channels, width]);
      shapes.set(`${prefix}.weight_hh_l${layer}${suffix}`, [4 * step.channels, step.channels]);
      shapes.set(`${prefix}.bias_ih_l${layer}${suffix}`, [4 * step.channels]);
      shapes.set(`${prefix}.bias_hh_l${layer}${suffix}`, [4 * step.channels]);
    }
  }
  return shapes;
}

/** The tensors of a weight-normed conv or transposed conv module (weight_g, weight_v, bias), name → shape; none for other steps. */
export function weightNormConvShapes(step: Step): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  if (step.kind === "conv") {
    const prefix = `${step.name}.conv.conv`;
    shapes.set(`${prefix}.weight_g`, [step.outChannels, 1, 1]);
    shapes.set(`${prefix}.weight_v`, [step.outChannels, step.inChannels, step.kernel]);
    shapes.set(`${prefix}.bias`, [step.outChannels]);
  } else if (step.kind === "convtr") {
    // weight_norm's dim 0 of a ConvTranspose1d weight [in, out, k] is the input channel.
    const prefix = `${step.name}.convtr.convtr`;
    shapes.set(`${prefix}.weight_g`, [step.inChannels, 1, 1]);
    shapes.set(`${prefix}.weight_v`, [step.inChannels, step.outChannels, step.stride * 2]);
    shapes.set(`${prefix}.bias`, [step.outChannels]);
  }
  return shapes;
}
