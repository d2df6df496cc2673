/**
 * `s3tokenizer features --wav_scp FILE | --tsv_path TSV --feature_model PT --layer L --out_dir DIR
 * [--rank R --nshard N] [--max_chunk N]`: RepCodec's examples/dump_feature.py. Writes the feature
 * dump a user trains RepCodec or k-means on (and our `repcodec` command reads): DIR/{R}_{N}.npy
 * float32 [ΣT, D] and DIR/{R}_{N}.len, in dumpWriter.ts's layout, byte for byte upstream's. The
 * feature model is fairseq's HuBERT / data2vec-audio .pt or openai's Whisper .pt (told apart by
 * its top-level keys). Shard R of N takes the utterances get_shard_range gives it.
 *
 * A failed utterance: with --wav_scp the job goes on, the utterance is left out of the dump and
 * recorded in DIR/{R}_{N}.errors (one JSON line: key, path, error), and DIR/{R}_{N}.tsv lists the
 * dumped utterances in the dump's order (a tsv as upstream's: root "/" then each path), so the
 * dump and its list agree; exit 3 when any failed, as the corpus job. With --tsv_path the dump's
 * .len lines pair with the given tsv's lines by position, so it cannot hold a gap: the first
 * failure stops the job, and nothing is written (the shard is written in a scratch folder and
 * moved into DIR only when every utterance is in it).
 */
import { appendFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadAudio } from "../../audio/loadAudio.js";
import { readWavScp } from "../../audio/wavScp.js";
import { InvalidInputError, TokenizerError, UsageError } from "../../errors.js";
import { filesSource } from "../../family/localSource.js";
import { integerFlag, parseFlags, requireFlag } from "../../flags/parse.js";
import { selectDevice } from "../../runtime/session.js";
import { requireFeatureCheckpointKind } from "../common/featureCheckpoint.js";
import { openSpeechEncoder } from "../speechEncoders/open.js";
import { readFeatureTsv, shardPaths } from "./dumpLayout.js";
import { FeatureDumpWriter, shardRange } from "./dumpWriter.js";
import type { RepCodecFeatureSource } from "./featureCodes.js";
import { WhisperFeatureExtractor } from "./whisperFeatures.js";

export const help = `s3tokenizer features --wav_scp FILE | --tsv_path TSV --feature_model PT --layer L --out_dir DIR [options]

Writes speech-encoder features in the layout of RepCodec's examples/dump_feature.py (and fairseq's
simple_kmeans dump): DIR/{rank}_{nshard}.npy (float32 [frames, width], every utterance's frames one
after the other) and DIR/{rank}_{nshard}.len (frames per utterance), byte for byte upstream's layout.

  --wav_scp FILE      Kaldi list (key path); a failed utterance is left out and recorded in
                      DIR/{rank}_{nshard}.errors; DIR/{rank}_{nshard}.tsv lists the dumped ones (exit 3)
  --tsv_path TSV      upstream's manifest (root line, then relpath<TAB>samples): the dump pairs with it
                      line by line, so any failure stops the job and nothing is written
  --feature_model PT  fairseq's HuBERT / data2vec-audio checkpoint, or openai's Whisper checkpoint
  --layer L           the encoder layer (1-based) whose output is dumped
  --out_dir DIR       where the shard's files go (created)
  --rank R            this shard (default 0) of --nshard N (default 1), as get_shard_range splits
  --max_chunk N       HuBERT / data2vec: samples per independently encoded piece (default 1600000)
  --device cpu|cuda[:N]|webgpu`;

interface Utterance {
  key: string;
  path: string;
  /** A Kaldi `command |` entry, which this command does not run. */
  isPipe?: boolean;
}

const EXIT_SOME_FAILED = 3;

/** The utterances of the list a flag names, in order, with whether a gap may be left. */
async function utterances(values: Record<string, unknown>): Promise<{ list: Utterance[]; gapsAllowed: boolean }> {
  const scp = values["wav-scp"];
  const tsv = values["tsv-path"];
  if ((scp === undefined) === (tsv === undefined)) throw new UsageError("give one of --wav_scp and --tsv_path");
  if (typeof scp === "string") {
    const entries = await readWavScp(scp);
    return { list: entries.map((e) => ({ key: e.key, path: e.path, isPipe: e.isPipe })), gapsAllowed: true };
  }
  const manifest = readFeatureTsv(String(tsv));
  return { list: manifest.names.map((name) => ({ key: name, path: join(manifest.root, name) })), gapsAllowed: false };
}

/** The feature model at `path`, Whisper's or fairseq's by its content. */
async function openFeatures(path: string, layer: number, options: { maxChunk?: number } & Partial<ReturnType<typeof selectDevice>>): Promise<RepCodecFeatureSource> {
  const kind = await requireFeatureCheckpointKind(filesSource({ "feature_model.pt": path }, path), "feature_model.pt", ["fairseq", "whisper"]);
  if (kind === "fairseq") return openSpeechEncoder(path, layer, options);
  if (options.maxChunk !== undefined) throw new UsageError(`--max_chunk: ${path} is a Whisper checkpoint, which reads at most 30 s an utterance and takes no chunk size`);
  return WhisperFeatureExtractor.open(path, layer, options);
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    "wav-scp": { type: "string" },
    "tsv-path": { type: "string" },
    "feature-model": { type: "string" },
    layer: { type: "string" },
    "out-dir": { type: "string" },
    rank: { type: "string" },
    nshard: { type: "string" },
    "max-chunk": { type: "string" },
    device: { type: "string" },
  });
  const featureModel = requireFlag(values, "feature-model");
  const layer = integerFlag(values, "layer");
  if (layer === undefined) throw new UsageError("--layer is required (the encoder layer whose output is dumped, 1-based)");
  const outDir = requireFlag(values, "out-dir");
  const rank = integerFlag(values, "rank") ?? 0;
  const shards = integerFlag(values, "nshard") ?? 1;
  const maxChunk = integerFlag(values, "max-chunk");
  const device = typeof values.device === "string" ? selectDevice(values.device) : {};
  const { list, gapsAllowed } = await utterances(values);
  const { start, end } = shardRange(list.length, shards, rank);

  const features = await openFeatures(featureModel, layer, { ...device, ...(maxChunk === undefined ? {} : { maxChunk }) });
  // The shard is written in a scratch folder inside DIR and moved in when complete.
  const scratch = join(outDir, `.partial_${rank}_${shards}`);
  rmSync(scratch, { recursive: true, force: true });
  const writer = FeatureDumpWriter.open(scratch, rank, shards, features.width);
  const dumped: Utterance[] = [];
  const failed: { key: string; path: string; error: string }[] = [];
  let closed = false;
  try {
    for (const utterance of list.slice(start, end)) {
      try {
        if (utterance.isPipe === true) throw new InvalidInputError(`${utterance.key}: pipe entry "${utterance.path}": the features command reads files only`);
        const [frames] = await features.features([await loadAudio(utterance.path)], [utterance.path]); // [T, D]
        writer.append(frames!);
        dumped.push(utterance);
      } catch (error) {
        if (!(error instanceof TokenizerError)) throw error; // not a typed input error: a bug, stop
        if (!gapsAllowed) {
          throw new InvalidInputError(
            `${utterance.key}: ${error.message}; a dump made from --tsv_path pairs its .len lines with the tsv's lines, so it cannot leave an utterance out: nothing was written (fix or drop that line, or give a --wav_scp list, which records failures and goes on)`,
            { cause: error },
          );
        }
        failed.push({ key: utterance.key, path: utterance.path, error: error.message });
      }
    }
    writer.close();
    closed = true;
    const target = shardPaths(outDir, rank, shards);
    for (const [from, to] of [[writer.npyPath, target.npy], [writer.lenPath, target.len]] as const) renameSync(from, to);
  } finally {
    if (!closed) writer.close();
    rmSync(scratch, { recursive: true, force: true });
    await features.dispose();
  }
  const base = join(outDir, `${rank}_${shards}`);
  rmSync(`${base}.errors`, { force: true });
  if (gapsAllowed) {
    writeFileSync(`${base}.tsv`, `/\n${dumped.map((u) => `${resolve(u.path).slice(1)}\n`).join("")}`);
    for (const failure of failed) appendFileSync(`${base}.errors`, `${JSON.stringify(failure)}\n`);
  }
  process.stderr.write(`dumped ${dumped.length} utterances into ${base}.npy${failed.length > 0 ? `; ${failed.length} failed (${base}.errors)` : ""}\n`);
  return failed.length > 0 ? EXIT_SOME_FAILED : 0;
}
