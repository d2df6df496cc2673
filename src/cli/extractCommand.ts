/**
 * The main job: `s3tokenizer --wav_scp FILE --model NAME|PATH --output_dir DIR ...` tokenizes
 * this rank's share of a Kaldi list into part_R_of_W, resumably, recording failures in
 * errors_R_of_W. Exit codes: 0 all done, 3 some utterances failed (the rest are written),
 * 2 usage, model or output-directory errors (before any output), 4 an output write failed mid-run.
 */
import { mkdirSync } from "node:fs";
import { readWavScp } from "../audio/wavScp.js";
import type { ScpEntry } from "../audio/wavScp.js";
import { corpusGrouping, extractTokens, type ExtractionOptions } from "../extract/extractor.js";
import { FeaturePool } from "../extract/featurePool.js";
import { defaultFeatureWorkers } from "../pipeline/featureWorkers.js";
import { checkOutputDir } from "../extract/outputDir.js";
import { JsonLinesAppender, partPaths, recoverPart } from "../extract/partFile.js";
import { lockPart } from "../extract/partLock.js";
import { ProgressReporter, type ProgressCounts } from "../extract/progress.js";
import { resolvePlacement, shard, type Placement } from "../extract/rank.js";
import { selectDevice } from "../runtime/options.js";
import { discardSessionThread, prestartSessionThread } from "../runtime/sessionThread.js";
import { UsageError } from "../errors.js";
import type { EncodeOptions, TokenizerModel } from "../family/types.js";
import { parsePartFormat } from "../parts/partFormat.js";
import { BATCH_BUDGET_FLAGS, batchBudgetFlag, HUB_FLAGS, hubOptions, integerFlag, parseFlags, parseMode, requireFlag } from "./args.js";
import { EXIT_OK, EXIT_OUTPUT_FAULT, EXIT_SOME_FAILED, EXIT_USAGE } from "./exitCodes.js";

export { EXIT_OK, EXIT_OUTPUT_FAULT, EXIT_SOME_FAILED, EXIT_USAGE };

export async function extractCommand(argv: string[]): Promise<number> {
  // A session stream's thread loads onnxruntime while the families' code loads (their options
  // make this command's flags), the list is read and the model is found (S3 models run on session
  // streams; other families end it unused).
  prestartSessionThread();
  try {
    return await extract(argv);
  } finally {
    await discardSessionThread();
  }
}

async function extract(argv: string[]): Promise<number> {
  const families = await import("./familyFlags.js");
  const { loadModelFlags } = await import("./modelFlags.js");
  const { claimPart, modelFilesSha256 } = await import("../extract/provenance.js");
  const { values } = parseFlags(argv, {
    "wav-scp": { type: "string" },
    model: { type: "string" },
    device: { type: "string", default: "cpu" },
    "output-dir": { type: "string" },
    "batch-size": { type: "string" },
    ...BATCH_BUDGET_FLAGS,
    streams: { type: "string" },
    "num-workers": { type: "string" },
    rank: { type: "string" },
    "world-size": { type: "string" },
    overwrite: { type: "boolean", default: false },
    "allow-pipes": { type: "boolean", default: false },
    mode: { type: "string", default: "exact" },
    "n-q": { type: "string" },
    format: { type: "string" },
    ...families.familyFlagTable("extract"),
    ...HUB_FLAGS,
  });
  const scpPath = requireFlag(values, "wav-scp");
  const modelName = requireFlag(values, "model");
  const format = parsePartFormat(values.format);
  const outputDir = requireFlag(values, "output-dir");
  const { device, deviceId } = selectDevice(String(values.device));
  const placement = resolvePlacement({ rank: values.rank as string | undefined, worldSize: values["world-size"] as string | undefined });
  const numWorkers = integerFlag(values, "num-workers") ?? defaultFeatureWorkers("corpus");
  const codebooks = integerFlag(values, "n-q");
  const given = families.givenFamilyOptions(values, "extract");
  const encodeOptions = families.familyEncodeOptions(given) as EncodeOptions;

  // Everything that can be wrong with the request is found before any output is written.
  const entries = shard(await readWavScp(scpPath), placement);
  // The output is checked before the model loads: a fault found after would waste the load.
  checkOutputDir(outputDir);
  // The feature workers load their modules while the model loads, not after it.
  const featurePool = new FeaturePool(numWorkers);
  try {
    const tokenizer = await loadModelFlags(values, given, {
      ...hubOptions(values),
      device,
      deviceId: deviceId ?? placement.localRank,
      // Absent flags leave the device's (and, on WebGPU, the model's) defaults to the tokenizer.
      maxBatchFrames: batchBudgetFlag(values),
      maxBatchSize: integerFlag(values, "batch-size"),
      streams: integerFlag(values, "streams"),
      // A list of one short utterance never opens the second stream: it would only delay the exit.
      laterStreams: "on-demand",
      // It only encodes: a decoder that a family opens at load is never built.
      decoderAtLoad: false,
      mode: parseMode(values.mode),
    }).finally(discardSessionThread);
    const part = partPaths(outputDir, placement.rank, placement.worldSize).part;
    let releasePart = async (): Promise<void> => undefined;
    try {
      if (codebooks !== undefined && codebooks > tokenizer.codebooks) {
        throw new UsageError(`--n_q ${codebooks}: ${modelName} (${tokenizer.family}) makes ${tokenizer.codebooks} code row${tokenizer.codebooks === 1 ? "" : "s"}`);
      }
      mkdirSync(outputDir, { recursive: true });
      releasePart = await lockPart(part);
      const provenance = {
        model: modelName,
        sha256: await modelFilesSha256(tokenizer.files, hubOptions(values).cacheDir),
        family: tokenizer.family,
        mode: parseMode(values.mode),
        // Where a family option decides the rows (a bit width), the model says how many its encode returns.
        codebooks: tokenizer.rowsFor?.({ ...encodeOptions, ...(codebooks === undefined ? {} : { codebooks }) }) ?? codebooks ?? tokenizer.codebooks,
        ...families.familyProvenance(given, tokenizer),
        format,
      };
      claimPart(part, provenance, Boolean(values.overwrite));
      return await extractShard(tokenizer, entries, {
        outputDir,
        device,
        placement,
        overwrite: Boolean(values.overwrite),
        extraction: {
          numWorkers,
          ...corpusGrouping(tokenizer, device),
          allowPipes: Boolean(values["allow-pipes"]),
          featurePool,
          codebooks,
          ...(Object.keys(encodeOptions).length === 0 ? {} : { encodeOptions }),
          format,
        },
      });
    } finally {
      await releasePart();
      await tokenizer.dispose();
    }
  } finally {
    await featurePool.close();
  }
}

interface ShardJob {
  outputDir: string;
  device: string;
  placement: Placement;
  overwrite: boolean;
  extraction: ExtractionOptions;
}

/** Resumes this rank's part file and tokenizes what is not in it yet; returns the exit code. */
async function extractShard(tokenizer: TokenizerModel, entries: readonly ScpEntry[], job: ShardJob): Promise<number> {
  const { placement, overwrite } = job;
  mkdirSync(job.outputDir, { recursive: true });
  const paths = partPaths(job.outputDir, placement.rank, placement.worldSize);
  const { doneKeys, droppedBytes } = overwrite ? { doneKeys: new Set<string>(), droppedBytes: 0 } : recoverPart(paths.part);
  if (droppedBytes > 0) process.stderr.write(`resume: removed an incomplete last line (${droppedBytes} bytes) from ${paths.part}\n`);
  const todo = entries.filter((e) => !doneKeys.has(e.key));
  const counts: ProgressCounts = { done: 0, failed: 0, skipped: entries.length - todo.length, total: entries.length, audioSeconds: 0 };
  process.stderr.write(
    `rank ${placement.rank} of ${placement.worldSize} (${placement.origin}): ${entries.length} utterances, ` +
      `${counts.skipped} already done; ${tokenizer.family} model ${tokenizer.source} on ${job.device}\n`,
  );
  const progress = new ProgressReporter();
  const part = new JsonLinesAppender(paths.part, overwrite);
  // The errors file describes the latest run: failed keys are not in the part, so a rerun retries them.
  const errors = new JsonLinesAppender(paths.errors, true);
  try {
    await extractTokens(tokenizer, todo, counts, { part, errors, progress }, job.extraction);
  } finally {
    part.close();
    errors.close();
  }
  progress.finish(counts);
  return counts.failed > 0 ? EXIT_SOME_FAILED : EXIT_OK;
}
