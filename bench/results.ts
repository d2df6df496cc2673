/** What the benchmark reports per version, and how the headline figures follow from the runs. */
import { compareTokens, summarize } from "../src/s3Verify/missRate.js";
import type { BrowserResult } from "./browserBench.js";
import type { FastAgreement } from "./fastAgreement.js";
import type { FirstTokenResult } from "./firstToken.js";
import type { FlopCount } from "./flops.js";
import type { GemmCeiling } from "./gemm.js";
import { summarizeTimes, type TimingSummary } from "./stats.js";

export interface VariantTiming extends TimingSummary {
  /** Audio seconds per wall second, of the median and of the best run. */
  xrt_median: number;
  xrt_best: number;
}

export interface VersionResult {
  // Headline figures (null where the variant failed or was skipped); xRT from median times.
  a_xrt: number | null;
  b1_xrt: number | null;
  b2_xrt: number | null;
  a_over_b1: number | null;
  a_over_b2: number | null;
  a_gflops: number | null;
  gemm_gflops: number | null;
  /** a_gflops / gemm_gflops, 0..1. */
  a_share_of_ceiling: number | null;
  peak_rss_mb: number | null;
  first_token_s: number | null;
  fast_xrt: number | null;
  fast_miss_rate_pct: number | null;
  // Details.
  audio_seconds: number;
  flops: FlopCount;
  timings: Partial<Record<"a" | "fast" | "b1" | "b2", VariantTiming>>;
  gemm: ReturnType<GemmCeiling["results"]> | null;
  /** (a) against (b1): both should give the same tokens (a sanity check, not a speed figure). */
  a_vs_b1_miss_rate_pct: number | null;
  first_token: FirstTokenResult | null;
  /** Seconds of the peak-memory child's own (a) run. */
  child_a_seconds: number | null;
  /**
   * The MatMul ceiling's median over its best run. Alone on the machine the runs agree within
   * ~10-15%; well below DISTURBED_BELOW, other work shared the cores during the rounds and every
   * median of this version is suspect (the load average, a 1-minute mean, often misses bursts).
   */
  gemm_median_over_best: number | null;
  /** 1-minute load average before and after the timed rounds: other work on the machine shows here. */
  load_average_1m: [number, number] | null;
  /** The browser column (browserBench.ts), for the versions that have one. */
  browser?: BrowserResult;
  errors: Record<string, string>;
}

export const DISTURBED_BELOW = 0.75;

/** See VersionResult.gemm_median_over_best. */
export function gemmStability(gemm: VersionResult["gemm"]): number | null {
  if (!gemm || gemm.shapes.length === 0) return null;
  return gemm.ceiling_gflops / Math.max(...gemm.shapes.map((s) => s.best_gflops));
}

export function variantTiming(runs: readonly number[], audioSeconds: number): VariantTiming | undefined {
  if (runs.length === 0) return undefined;
  const summary = summarizeTimes(runs);
  return { ...summary, xrt_median: audioSeconds / summary.median_s, xrt_best: audioSeconds / summary.min_s };
}

/** Miss rate in percent of `candidate` against `reference` over the keys of the reference. */
export function missRatePct(reference: Map<string, number[]>, candidate: Map<string, number[]>): number {
  const comparisons = [...reference].map(([key, tokens]) => {
    const other = candidate.get(key);
    // A key the candidate lacks counts as every position missed, not as nothing compared.
    return other ? compareTokens(tokens, other) : { compared: tokens.length, misses: tokens.length, referenceLength: tokens.length, candidateLength: 0 };
  });
  return summarize(comparisons).missRate * 100;
}

export function ratio(numerator: number | null | undefined, denominator: number | null | undefined): number | null {
  return numerator != null && denominator != null && denominator > 0 ? numerator / denominator : null;
}

/** The result of a version that could not be measured at all (e.g. its model failed to generate). */
export function failedResult(audioSeconds: number, flops: FlopCount, errors: Record<string, string>): VersionResult {
  return {
    a_xrt: null, b1_xrt: null, b2_xrt: null, a_over_b1: null, a_over_b2: null, a_gflops: null, gemm_gflops: null,
    a_share_of_ceiling: null, peak_rss_mb: null, first_token_s: null, fast_xrt: null, fast_miss_rate_pct: null,
    audio_seconds: audioSeconds, flops, timings: {}, gemm: null, a_vs_b1_miss_rate_pct: null, first_token: null,
    child_a_seconds: null, gemm_median_over_best: null, load_average_1m: null, errors,
  };
}

/** What the benchmark reports for another tokenizer family (SpeechTokenizer, FunCodec, RepCodec-Whisper). */
export interface FamilyResult {
  // Headline figures (null where the variant failed or was not asked for); xRT from median times.
  /** (a) encode, files to codes through the family interface. */
  a_xrt: number | null;
  /** (d) decode of (a)'s codes to audio. */
  d_xrt: number | null;
  /** (u) upstream PyTorch at batch 1: encode and decode (null without an upstream checkout). */
  u_encode_xrt: number | null;
  u_decode_xrt: number | null;
  /** Upstream end to end (audio to tokens) for a family without a decoder (RepCodec-Whisper): (ue); null otherwise. */
  u_xrt: number | null;
  /** (a) in the family's opt-in fast mode (int8 products); null where the family offers none. */
  fast_xrt: number | null;
  a_over_u: number | null;
  fast_over_u: number | null;
  /** Share of fast mode's codes equal to exact mode's on the family's fixtures (where exact = upstream), in percent. */
  fast_vs_exact_fixtures_equal_pct: number | null;
  d_over_u: number | null;
  /** Peak RSS of a child that loads the model, encodes and decodes the workload once. */
  peak_rss_mb: number | null;
  /** The CLI's start-up to its first tokens (median seconds; firstToken.ts), as for the S3 versions. */
  first_token_s: number | null;
  // Details.
  /** Peak RSS of upstream's process over its timed passes (model loaded), VmHWM. */
  u_peak_rss_mb: number | null;
  /** Share of (a)'s codes equal to upstream's on the same weights, in percent. */
  a_vs_u_codes_equal_pct: number | null;
  /** Share of fast mode's codes equal to (a)'s on the workload (random weights: no trained codebook), in percent. */
  fast_vs_a_codes_equal_pct: number | null;
  /** The fixture comparison behind fast_vs_exact_fixtures_equal_pct: positions, differing, clips. */
  fast_fixtures: FastAgreement | null;
  /** Threads of both sides: onnxruntime's (one per hardware thread unless a family chose) and torch.set_num_threads. */
  threads: number;
  /** Upstream's torch: its version and 1024×1024 fp32 matmul GFLOP/s (a slow BLAS shows here). */
  u_torch: { version: string; matmul_gflops: number; slow_blas: boolean; openblas_core: string | null } | null;
  audio_seconds: number;
  timings: Partial<Record<"a" | "fast" | "d" | "ue" | "ud", VariantTiming>>;
  child_seconds: { encode: number; decode: number } | null;
  first_token: FirstTokenResult | null;
  load_average_1m: [number, number] | null;
  /** The browser column (browserBench.ts), for the families that have one. */
  browser?: BrowserResult;
  errors: Record<string, string>;
}

/** The result of a family that could not be measured at all (e.g. its model failed to generate). */
export function failedFamilyResult(audioSeconds: number, errors: Record<string, string>): FamilyResult {
  return {
    a_xrt: null, d_xrt: null, u_encode_xrt: null, u_decode_xrt: null, u_xrt: null, fast_xrt: null, a_over_u: null, fast_over_u: null,
    fast_vs_exact_fixtures_equal_pct: null, d_over_u: null, peak_rss_mb: null, first_token_s: null, u_peak_rss_mb: null, a_vs_u_codes_equal_pct: null,
    fast_vs_a_codes_equal_pct: null, fast_fixtures: null, threads: 0, u_torch: null, audio_seconds: audioSeconds, timings: {},
    child_seconds: null, first_token: null, load_average_1m: null, errors,
  };
}
