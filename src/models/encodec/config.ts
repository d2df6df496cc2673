/**
 * What an EnCodec model is: its SEANet shape and quantizer (read from the checkpoint's tensors)
 * and the facts its weights cannot tell (rate, causality, normalisation, segments, bandwidths),
 * which upstream's two release constructors hard-code and a config.json beside a model may give.
 */
import type { SeanetShape } from "../common/seanetLayout.js";

export type EncodecNorm = "weight_norm" | "time_group_norm";

/** The constructor facts: EncodecModel._get_model's arguments (upstream's release constructors pass these). */
export interface EncodecFacts {
  /** Upstream's model.name, written into .ecdc headers: "encodec_24khz" / "encodec_48khz". */
  name: string;
  sampleRate: number;
  audioChannels: number;
  causal: boolean;
  norm: EncodecNorm;
  /** Per-segment normalisation: the encoder sees x / scale. */
  normalize: boolean;
  /** Segment duration in seconds, or null for the whole input as one segment. */
  segment: number | null;
  /** Overlap of segments, a fraction of the segment (upstream's default 0.01). */
  overlap: number;
  /** The bandwidths (kbps) set_target_bandwidth accepts. */
  targetBandwidths: readonly number[];
}

export interface EncodecConfig extends EncodecFacts, SeanetShape {
  audioChannels: number;
  /** Codes per codebook (a power of 2). */
  bins: number;
  /** Quantizer layers. */
  nQ: number;
}

/** The SEANet arguments both releases keep at upstream's defaults (only n_filters, dimension and channels vary). */
export const SEANET_DEFAULTS = {
  strides: [8, 5, 4, 2],
  bidirectional: false,
  dilationBase: 2,
  residualKernelSize: 3,
  nResidualLayers: 1,
  lstmLayers: 2,
} as const;

/** encodec_model_24khz: mono, causal, weight norm, one segment, no normalisation. */
export const RELEASE_24KHZ: Readonly<EncodecFacts> = {
  name: "encodec_24khz",
  sampleRate: 24000,
  audioChannels: 1,
  causal: true,
  norm: "weight_norm",
  normalize: false,
  segment: null,
  overlap: 0.01,
  targetBandwidths: [1.5, 3, 6, 12, 24],
};

/** encodec_model_48khz: stereo, non-causal, time group norm, 1 s segments normalised one by one. */
export const RELEASE_48KHZ: Readonly<EncodecFacts> = {
  name: "encodec_48khz",
  sampleRate: 48000,
  audioChannels: 2,
  causal: false,
  norm: "time_group_norm",
  normalize: true,
  segment: 1,
  overlap: 0.01,
  targetBandwidths: [3, 6, 12, 24],
};

/** Samples per code frame: the product of the strides (320). */
export function hopLength(config: Pick<EncodecConfig, "strides">): number {
  return config.strides.reduce((a, b) => a * b, 1);
}

/** Code frames per second, ceil(rate / hop) as upstream (75 at 24 kHz, 150 at 48 kHz). */
export function frameRate(config: Pick<EncodecConfig, "strides" | "sampleRate">): number {
  return Math.ceil(config.sampleRate / hopLength(config));
}

/** Bits of one code, log2(bins). */
export function bitsPerCodebook(config: Pick<EncodecConfig, "bins">): number {
  return Math.log2(config.bins);
}

/** Samples of one segment (int(segment · rate)), or null when the input is one segment. */
export function segmentLength(config: Pick<EncodecFacts, "segment" | "sampleRate">): number | null {
  return config.segment === null ? null : Math.trunc(config.segment * config.sampleRate);
}

/** Samples from one segment's start to the next's: max(1, int((1 − overlap) · segment length)), or null. */
export function segmentStride(config: Pick<EncodecFacts, "segment" | "sampleRate" | "overlap">): number | null {
  const length = segmentLength(config);
  return length === null ? null : Math.max(1, Math.trunc((1 - config.overlap) * length));
}

/** Quantizer layers _get_model builds from the last bandwidth listed (it assumes 10-bit codes, whatever bins is). */
export function layersForBandwidths(facts: Pick<EncodecFacts, "targetBandwidths" | "sampleRate">, hop: number): number {
  const last = facts.targetBandwidths[facts.targetBandwidths.length - 1]!;
  return Math.floor((1000 * last) / (Math.ceil(facts.sampleRate / hop) * 10));
}
