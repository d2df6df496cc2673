/**
 * Bandwidth (kbps) → code rows, as upstream's ResidualVectorQuantizer: n_q = max(1, floor(bw ·
 * 1000 / (log2(bins) · frame rate))), capped at the model's layers (upstream takes layers[:n_q]).
 * Only the bandwidths the model lists are accepted, as set_target_bandwidth; none means all layers.
 */
import { bitsPerCodebook, frameRate, type EncodecConfig } from "./config.js";
import { EncodecBandwidthError } from "./errors.js";

export function rowsForBandwidth(config: EncodecConfig, bandwidth: number | undefined, source: string): number {
  if (bandwidth === undefined) return config.nQ;
  if (!config.targetBandwidths.includes(bandwidth)) throw new EncodecBandwidthError(source, bandwidth, config.targetBandwidths);
  const perRow = bitsPerCodebook(config) * frameRate(config);
  return Math.min(config.nQ, Math.max(1, Math.floor((bandwidth * 1000) / perRow)));
}
