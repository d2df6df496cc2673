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
import { claimPart, modelFilesSha256 } from "../extract/provenance.js";
import { ProgressReporter, type ProgressCounts } from "../extract/progress.js";
import { resolvePlacement, shard, type Placement } from "../extract/rank.js";
import { selectDevice } from "../runtime/session.js";
import { UsageError } from "../errors.js";
import type { EncodeOptions, SpeechTokenizerModel } from "../family/types.js";
import { parsePartFormat } from "../extract/partFormat.js";
import { FunCodecModel, type FunCodecEncodeOptions } from "../models/funcodec/model.js";
import { HUB_FLAGS, HUB_FLAGS_HELP, hubOptions, integerFlag, parseFlags, parseMode, requireFlag } from "./args.js";
import { FUNCODEC_FLAGS, funcodecEncodeFlags } from "./funcodecFlags.js";
import { loadModelFlags, MODEL_FILE_FLAGS, MODEL_FILE_FLAGS_HELP } from "./modelFlags.js";
import { LONG_AUDIO_FLAGS, LONG_AUDIO_FLAGS_HELP, longAudioCompatFlag } from "./longAudioFlag.js";
import { checkLongAudioFamily } from "../family/longAudioCompat.js";
import { longAudioPlan } from "../pipeline/windows.js";
import { modelNamesByFamily } from "./modelNames.js";

export const EXIT_OK = 0;
export const EXIT_SOME_FAILED = 3;
export const EXIT_USAGE = 2;
/** Writing the output failed mid-run (full disk, I/O error): what was written is intact, rerun resumes. */
export const EXIT_OUTPUT_FAULT = 4;

export const EXTRACT_HELP = `s3tokenizer --wav_scp FILE --model NAME|PATH --output_dir DIR [options]

Tokenizes every utterance of a Kaldi wav.scp ("key path" per line) into
DIR/part_{rank+1}_of_{world_size}: one JSON line {"key": ..., "code": [...]} per utterance
({"key": ..., "code": [[row 0], ..., [row n-1]]} for a model of several code rows, with
"scale": x for a FunCodec model).
Failures go to DIR/errors_{rank+1}_of_{world_size} as {"key", "path", "error"} lines.

Options (snake_case or kebab-case):
  --device cpu|cuda|cuda:N|webgpu
                          execution device (cuda uses the GPU of the local rank unless N is given)
  --batch_size N          most utterances or windows per forward pass (default 64 on cpu, 128 on a GPU)
  --max_frames F          most padded mel frames per forward pass (default 3000 on cpu, 96000 on
                          cuda; on webgpu what a 128 MiB binding holds: 12850 v1, 25700 25 Hz)
  --num_workers W         decoding/feature threads (default: cores - 1, at least 1)
  --streams S             model sessions running batches side by side, each with its share of
                          the cores and its own copy of the weights (default 2 on a CPU, 1 on a GPU)
  --rank R --world_size W this process's shard; otherwise read from torchrun (RANK, WORLD_SIZE,
                          LOCAL_RANK), SLURM (SLURM_PROCID, SLURM_NTASKS), a Kubernetes Indexed
                          Job (JOB_COMPLETION_INDEX with --world_size) or OpenMPI
  --overwrite             start the part file afresh instead of resuming it
  --allow_pipes           run Kaldi pipe entries ("key cmd ... |") through the shell
  --n_q N                 code rows per utterance, for families with residual rows (default: all;
                          S3 models have one)
  --bit_width B           FunCodec: bits per second, as upstream's CLI (rows = floor(B / bits per row);
                          2000 → 8 rows of the 25 Hz models); not with --n_q. Lines then carry the
                          utterance's normalisation "scale" beside "code", which decode uses
  --format jsonl|funcodec jsonl (default): the JSON lines above; funcodec (FunCodec models): FunCodec's
                          codecs.txt lines "key [[[row 0], ...]]" (no scale: decodes at the normalised level)
${MODEL_FILE_FLAGS_HELP}
  --mode exact|fast       exact (default): the released files' tokens; fast: int8 projections,
                          several times faster on CPUs with VNNI, a few percent of tokens differ
${LONG_AUDIO_FLAGS_HELP}

Models by name are downloaded once into the cache and verified:
${modelNamesByFamily()}
${HUB_FLAGS_HELP}

Rerunning the same command resumes: keys already in the part file are skipped.

Exit codes: 0 all utterances done; 3 some failed (see the errors file; the rest are written);
2 usage, model or output-directory errors (not a writable directory, the part file locked by
another process, or written by another model or mode), reported before any output;
4 writing the output failed mid-run (full disk, I/O error): what was written is intact, rerun to resume.
A part file of an S3 model written before the long-audio windows covered the whole length resumes
only with --long_audio_compat s3tokenizer-0.3.0 (or starts afresh with --overwrite).`;

export async function extractCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    "wav-scp": { type: "string" },
    model: { type: "string" },
    device: { type: "string", default: "cpu" },
    "output-dir": { type: "string" },
    "batch-size": { type: "string" },
    "max-frames": { type: "string" },
    streams: { type: "string" },
    "num-workers": { type: "string" },
    rank: { type: "string" },
    "world-size": { type: "string" },
    overwrite: { type: "boolean", default: false },
    "allow-pipes": { type: "boolean", default: false },
    mode: { type: "string", default: "exact" },
    "n-q": { type: "string" },
    "bit-width": FUNCODEC_FLAGS["bit-width"],
    format: { type: "string" },
    ...MODEL_FILE_FLAGS,
    ...LONG_AUDIO_FLAGS,
    ...HUB_FLAGS,
  });
  const scpPath = requireFlag(values, "wav-scp");
  const modelName = requireFlag(values, "model");
  const format = parsePartFormat(values.format);
  const outputDir = requireFlag(values, "output-dir");
  const { device, deviceId } = selectDevice(String(values.device));
  const placement = resolvePlacement({ rank: values.rank as string | undefined, worldSize: values["world-size"] as string | undefined });
  const numWorkers = integerFlag(values, "num-workers") ?? defaultFeatureWorkers("corpus");
  const { codebooks, bitWidth } = funcodecEncodeFlags(values);
  const longAudioCompat = longAudioCompatFlag(values);

  // Everything that can be wrong with the request is found before any output is written.
  const entries = shard(await readWavScp(scpPath), placement);
  // The output is checked before the model loads: a fault found after would waste the load.
  checkOutputDir(outputDir);
  // The feature workers load their modules while the model loads, not after it.
  const featurePool = new FeaturePool(numWorkers);
  try {
    const { model: tokenizer, layer } = await loadModelFlags(values, {
      ...hubOptions(values),
      device,
      deviceId: deviceId ?? placement.localRank,
      // Absent flags leave the device's (and, on WebGPU, the model's) defaults to the tokenizer.
      maxBatchFrames: integerFlag(values, "max-frames"),
      maxBatchSize: integerFlag(values, "batch-size"),
      streams: integerFlag(values, "streams"),
      mode: parseMode(values.mode),
      longAudioCompat,
    });
    const part = partPaths(outputDir, placement.rank, placement.worldSize).part;
    let releasePart = async (): Promise<void> => undefined;
    try {
      if (codebooks !== undefined && codebooks > tokenizer.codebooks) {
        throw new UsageError(`--n_q ${codebooks}: ${modelName} (${tokenizer.family}) makes ${tokenizer.codebooks} code row${tokenizer.codebooks === 1 ? "" : "s"}`);
      }
      if (!(tokenizer instanceof FunCodecModel) && (bitWidth !== undefined || format === "funcodec")) {
        const flag = bitWidth !== undefined ? "--bit_width" : "--format funcodec";
        throw new UsageError(`${flag}: ${modelName} is a ${tokenizer.family} model; only FunCodec models take it`);
      }
      checkLongAudioFamily(tokenizer, longAudioCompat, modelName);
      mkdirSync(outputDir, { recursive: true });
      releasePart = await lockPart(part);
      const provenance = {
        model: modelName,
        sha256: await modelFilesSha256(tokenizer.files, hubOptions(values).cacheDir),
        family: tokenizer.family,
        mode: parseMode(values.mode),
        // FunCodec's rows follow from the bit width (or --n_q) as its encode computes them.
        codebooks: tokenizer instanceof FunCodecModel ? tokenizer.rowsFor({ codebooks, bitWidth }) : codebooks ?? tokenizer.codebooks,
        ...(bitWidth === undefined ? {} : { bitWidth }),
        ...(layer === undefined ? {} : { layer }),
        format,
        ...(tokenizer.family === "s3" ? { longAudio: longAudioPlan(longAudioCompat) } : {}),
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
          ...(bitWidth === undefined ? {} : { encodeOptions: funcodecBitWidth(bitWidth) }),
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
async function extractShard(tokenizer: SpeechTokenizerModel, entries: readonly ScpEntry[], job: ShardJob): Promise<number> {
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

/** FunCodec's encode option for --bit_width, as the generic encode options the extractor passes on. */
function funcodecBitWidth(bitWidth: number): EncodeOptions {
  const options: FunCodecEncodeOptions = { bitWidth };
  return options;
}
