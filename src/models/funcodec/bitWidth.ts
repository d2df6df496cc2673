/**
 * Bit width → rows, as upstream's ResidualVectorQuantizer computes it: bits per row are
 * log2(codebook size) · sampling_rate / encoder_hop_length (the quantizer's own settings), and
 * n_q = max(1, floor(bit_width / that)) for a positive bit width, all rows otherwise. n_q is not
 * capped; upstream slices its layers with it, so rows past the model's count simply do not exist.
 */
import { InvalidInputError } from "../../errors.js";
import type { FunCodecConfig } from "./config.js";

/** Bits per second one row costs. */
export function bitsPerRow(config: FunCodecConfig): number {
  return (Math.log2(config.codebookSize) * config.quantizerSampleRate) / config.quantizerHopLength;
}

/** Upstream's n_q for a bit width (uncapped: 16000 → 64 at 250 bit/s per row). */
export function quantizersForBitWidth(config: FunCodecConfig, bitWidth: number | undefined): number {
  if (bitWidth !== undefined && !Number.isFinite(bitWidth)) {
    throw new InvalidInputError(`bitWidth: expected a number of bits per second, got ${bitWidth}`);
  }
  if (!bitWidth || bitWidth <= 0) return config.numQuantizers;
  return Math.max(1, Math.floor(bitWidth / bitsPerRow(config)));
}

/** Rows an encode returns for a bit width: upstream's n_q sliced to the layers the model has. */
export function rowsForBitWidth(config: FunCodecConfig, bitWidth: number | undefined): number {
  return Math.min(config.numQuantizers, quantizersForBitWidth(config, bitWidth));
}
