/**
 * The extraction loop of one rank, for a model of any family: decoding and the model's front end
 * (if it has one) in worker threads, handed to the dynamic batcher (the same engine the HTTP
 * service uses), which gathers whatever is ready while the model runs into a group that the
 * model batches its own way (S3: sorted by length, packed under its frame budget).
 * At most `queueDepth` utterances are between the list and the part file at any time, so memory
 * stays flat however long the list. Each result is appended as soon as its group finishes; a
 * failed utterance is recorded and the run goes on.
 */
import { audioFormatOf } from "../audio/format.js";
import type { ScpEntry } from "../audio/wavScp.js";
import { OutputWriteError } from "../errors.js";
import { defaultGroupFrames, DynamicBatcher } from "../pipeline/dynamicBatcher.js";
import { isCpu, type Device } from "../runtime/options.js";
import { groupBudget, modelEngine, type ModelInput } from "../family/frontEnd.js";
import type { Codes, EncodeOptions, TokenizerModel } from "../family/types.js";
import { capText } from "./capText.js";
import { FeaturePool } from "./featurePool.js";
import type { JsonLinesAppender } from "./partFile.js";
import { formatPartLine, type PartFormat } from "../parts/partFormat.js";
import type { ProgressCounts, ProgressReporter } from "./progress.js";

export interface ExtractionOptions {
  numWorkers: number;
  /** Most frames (front-end features, or samples) in one group handed to the model (several forward passes). */
  groupFrames: number;
  /** Utterances between reading and writing at most (back-pressure; default 8 per worker, at least 16). */
  queueDepth?: number;
  allowPipes: boolean;
  /**
   * Feature workers started beforehand (e.g. while the model loads: their start-up is ~0.15 s
   * of module loading that would otherwise delay the first batch); the caller closes it. Without
   * one, a pool of `numWorkers` is started here and closed at the end.
   */
  featurePool?: FeaturePool;
  /** How long the batcher waits for more ready features before starting a group on an idle model (default GATHER_MS.gpu). */
  gatherMs?: number;
  /** Code rows per utterance (--n_q); default: all the model makes. */
  codebooks?: number;
  /**
   * The family's own encode options beside the rows (e.g. FunCodec's { bitWidth }), passed to
   * every encode call as they are.
   */
  encodeOptions?: EncodeOptions;
  /** How each utterance's line is written (default "jsonl"). */
  format?: PartFormat;
}

/**
 * Gather waits by device. A GPU's batch costs about the same with more inputs, so waiting for
 * company pays; a CPU's costs per frame, so there waiting only delays the start.
 */
export const GATHER_MS = { cpu: 0, gpu: 50 } as const;

/**
 * How a corpus job groups work for `model` on `device`, as the CLI does: a group gathers four
 * forward passes' worth of padded frames (lengths for the batch planner to choose from), started
 * after the device's gather wait.
 */
export function corpusGrouping(model: TokenizerModel, device: Device | undefined): Required<Pick<ExtractionOptions, "groupFrames" | "gatherMs">> {
  return { groupFrames: groupBudget(model), gatherMs: isCpu(device) ? GATHER_MS.cpu : GATHER_MS.gpu };
}


export interface ExtractionOutputs {
  part: JsonLinesAppender;
  errors: JsonLinesAppender;
  progress: ProgressReporter;
}


export async function extractTokens(
  model: TokenizerModel,
  entries: readonly ScpEntry[],
  counts: ProgressCounts,
  outputs: ExtractionOutputs,
  options: ExtractionOptions,
): Promise<void> {
  const pool = options.featurePool ?? new FeaturePool(options.numWorkers);
  const engine = modelEngine(model, { ...options.encodeOptions, ...(options.codebooks === undefined ? {} : { codebooks: options.codebooks }) });
  const format = options.format ?? "jsonl";
  const batcher = new DynamicBatcher<ModelInput, Codes>(engine, { maxWaitMs: options.gatherMs ?? GATHER_MS.gpu, maxGroupFrames: options.groupFrames });
  const frontEnd = model.frontEnd?.spec;
  const audioFormat = audioFormatOf(model);
  const queueDepth = options.queueDepth ?? Math.max(16, options.numWorkers * 8);
  const fail = (entry: ScpEntry, error: string) => {
    outputs.errors.append([{ key: capText(entry.key), path: capText(entry.path), error: capText(error) }]);
    counts.failed++;
  };

  const handle = async (entry: ScpEntry): Promise<void> => {
    if (entry.isPipe && !options.allowPipes) return fail(entry, `${entry.key}: pipe entry "${entry.path}" needs --allow_pipes`);
    const features = await pool.compute({ key: entry.key, path: entry.path, isPipe: entry.isPipe, format: audioFormat, frontEnd });
    if (!features.ok) return fail(entry, features.error);
    try {
      const codes = await batcher.submit(features.input);
      outputs.part.appendLines([formatPartLine(format, entry.key, codes, model)]);
      counts.done++;
      counts.audioSeconds += features.seconds;
    } catch (error) {
      if (error instanceof OutputWriteError) throw error; // a full disk stops the run, see partFile.ts
      // A model failure fails its group only; the next group may still succeed.
      fail(entry, `model: ${error instanceof Error ? error.message : String(error)}`);
    }
    outputs.progress.update(counts);
  };

  const inFlight = new Set<Promise<void>>();
  try {
    for (const entry of entries) {
      if (inFlight.size >= queueDepth) await Promise.race(inFlight);
      const task: Promise<void> = handle(entry).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
  } finally {
    if (!options.featurePool) await pool.close();
  }
}
