/**
 * The main job: `s3tokenizer --wav_scp FILE --model NAME|PATH --output_dir DIR ...` tokenizes
 * this rank's share of a Kaldi list into part_R_of_W, resumably, recording failures in
 * errors_R_of_W. Exit codes: 0 all done, 3 some utterances failed (the rest are written),
 * 2 usage or model errors (before any output).
 */
import { mkdirSync } from "node:fs";
import { readWavScp } from "../audio/wavScp.js";
import type { ScpEntry } from "../audio/wavScp.js";
import { corpusGrouping, defaultFeatureWorkers, extractTokens, type ExtractionOptions } from "../extract/extractor.js";
import { FeaturePool } from "../extract/featurePool.js";
import { JsonLinesAppender, partPaths, recoverPart } from "../extract/partFile.js";
import { ProgressReporter, type ProgressCounts } from "../extract/progress.js";
import { resolvePlacement, shard, type Placement } from "../extract/rank.js";
import { selectDevice } from "../runtime/session.js";
import { UsageError } from "../errors.js";
import { load } from "../family/load.js";
import type { SpeechTokenizerModel } from "../family/types.js";
import { HUB_FLAGS, HUB_FLAGS_HELP, hubOptions, integerFlag, parseFlags, parseMode, requireFlag } from "./args.js";

export const EXIT_OK = 0;
export const EXIT_SOME_FAILED = 3;
export const EXIT_USAGE = 2;

export const EXTRACT_HELP = `s3tokenizer --wav_scp FILE --model NAME|PATH --output_dir DIR [options]

Tokenizes every utterance of a Kaldi wav.scp ("key path" per line) into
DIR/part_{rank+1}_of_{world_size}: one JSON line {"key": ..., "code": [...]} per utterance
({"key": ..., "code": [[row 0], ..., [row n-1]]} for a model of several code rows).
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
  --mode exact|fast       exact (default): the released files' tokens; fast: int8 projections,
                          several times faster on CPUs with VNNI, a few percent of tokens differ

Models by name (speech_tokenizer_v1, speech_tokenizer_v1_25hz, speech_tokenizer_v2_25hz,
speech_tokenizer_v3_25hz) are downloaded once into the cache and verified:
${HUB_FLAGS_HELP}

Rerunning the same command resumes: keys already in the part file are skipped.

Exit codes: 0 all utterances done; 3 some failed (see the errors file; the rest are written);
2 usage or model errors, reported before any output.`;

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
    ...HUB_FLAGS,
  });
  const scpPath = requireFlag(values, "wav-scp");
  const modelName = requireFlag(values, "model");
  const outputDir = requireFlag(values, "output-dir");
  const { device, deviceId } = selectDevice(String(values.device));
  const placement = resolvePlacement({ rank: values.rank as string | undefined, worldSize: values["world-size"] as string | undefined });
  const numWorkers = integerFlag(values, "num-workers") ?? defaultFeatureWorkers();
  const codebooks = integerFlag(values, "n-q");

  // Everything that can be wrong with the request is found before any output is written.
  const entries = shard(await readWavScp(scpPath), placement);
  // The feature workers load their modules while the model loads, not after it.
  const featurePool = new FeaturePool(numWorkers);
  try {
    const tokenizer = await load(modelName, {
      ...hubOptions(values),
      device,
      deviceId: deviceId ?? placement.localRank,
      // Absent flags leave the device's (and, on WebGPU, the model's) defaults to the tokenizer.
      maxBatchFrames: integerFlag(values, "max-frames"),
      maxBatchSize: integerFlag(values, "batch-size"),
      streams: integerFlag(values, "streams"),
      mode: parseMode(values.mode),
    });
    try {
      if (codebooks !== undefined && codebooks > tokenizer.codebooks) {
        throw new UsageError(`--n_q ${codebooks}: ${modelName} (${tokenizer.family}) makes ${tokenizer.codebooks} code row${tokenizer.codebooks === 1 ? "" : "s"}`);
      }
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
        },
      });
    } finally {
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
