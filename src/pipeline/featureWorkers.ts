/**
 * The one default for decoding/log-mel threads, for both kinds of job:
 *   - "service" (and library callers): features cost ~3 ms per second of audio against tens for a
 *     full-size model on the same cores, so a few threads keep up with the model; more would only
 *     take cores from onnxruntime's operator threads: cores / 4, from 1 to 4.
 *   - "corpus" (the extraction command): a long list keeps every core busy decoding files of all
 *     formats and rates, so every core but one (the model's), at least one.
 */
import { availableParallelism } from "node:os";

export function defaultFeatureWorkers(job: "service" | "corpus" = "service"): number {
  const cores = availableParallelism();
  return job === "corpus" ? Math.max(1, cores - 1) : Math.max(1, Math.min(4, Math.floor(cores / 4)));
}
