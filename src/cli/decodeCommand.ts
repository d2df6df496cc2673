/**
 * `s3tokenizer decode --codes FILE... --model NAME|PATH --output_dir DIR`: code lines (as the
 * extraction writes them) back to audio, one WAV per key, for families with a decoder.
 * Exit codes: 0 all written; 3 some lines failed (see the errors file; the rest are written);
 * 2 usage or model errors, before any output.
 */
import { checkCodesFile } from "../decode/codesFile.js";
import { decodeCodesFiles, decodeErrorsPath } from "../decode/decodeJob.js";
import { UsageError } from "../errors.js";
import { checkOutputDir } from "../extract/outputDir.js";
import { resolvePlacement } from "../extract/rank.js";
import { load } from "../registry/load.js";
import { selectDevice } from "../runtime/session.js";
import { EXIT_OK, EXIT_SOME_FAILED } from "./exitCodes.js";
import { HUB_FLAGS, HUB_FLAGS_HELP, hubOptions, integerFlag, parseFlags, requireFlag } from "./args.js";
import { rescaleToPeak } from "../decode/rescale.js";
import type { DecodeOptions } from "../family/types.js";
import { familyDecodeOptions, familyFlagsHelp, familyFlagTable, givenFamilyOptions, refuseForeignOptions } from "./familyFlags.js";

export const DECODE_HELP = `s3tokenizer decode --codes FILE [--codes FILE ...] --model NAME|PATH --output_dir DIR [options]

Decodes code lines ({"key": ..., "code": [[row 0], ...]} as the extraction writes them, or
one-row {"key": ..., "code": [...]}, or FunCodec's codecs.txt lines "key [[[row 0], ...]]",
told apart line by line) to audio: DIR/KEY.wav at the model's rate and channels, for every key of this
rank's share of the lines. Lines that cannot be decoded (malformed JSON, more rows than the model
has, a code that is not an integer in 0..codebook size - 1, a line over 64 MiB, a key that cannot
be a file name) go to DIR/decode_errors_{rank+1}_of_{world_size} as {"key", "file", "line",
"error"}; the rest are written.

Codes made by another model decode to noise: when a codes file is an extraction's part file, the
record beside it (provenance_R_of_W.json) names the model that made it, and another model is
refused, naming both (--allow_model_mismatch decodes anyway). Rows and code range are always
checked against the model.

Options (snake_case or kebab-case):
  --sample_format s16|f32  16-bit PCM (default) or 32-bit float WAV. 16-bit clips samples past full
                           scale: a warning names each such key with its count of clipped samples.
                           FunCodec's codecs.txt lines (no scale) decode at the normalised level,
                           often past full scale: use --rescale or --sample_format f32 for them
  --first_codebook N       quantizer layer of each line's first row (upstream's st; default 0)
  --batch_size N           utterances per decode call (default 16)
  --device cpu|cuda|cuda:N|webgpu
  --rank R --world_size W  this process's share of the lines (line i goes to rank i mod W); otherwise
                           from torchrun, SLURM, a Kubernetes Indexed Job or OpenMPI, as extraction does
  --overwrite              decode every key again (default: keys whose WAV exists are skipped)
${familyFlagsHelp("decode", 27)}
  --rescale                scale each waveform to a 0.99 peak (never up) before writing, as
                           FunCodec's CLI does (default: the decoder's output as it is)
  --allow_model_mismatch   decode codes whose provenance record names another model (warned, not
                           refused)
${HUB_FLAGS_HELP}

Rerunning the same command resumes: a WAV appears under its name only once complete (written as
KEY.wav.partial, then renamed). A second decode of the same rank into DIR is refused while the
first runs. Nothing is written through or over a symlink or a device: such a name is a failed key.

Exit codes: 0 all written; 3 some lines failed; 2 usage, model or output errors (a missing codes
file, codes of another model, DIR in use by another decode), before any output; 4 writing failed
mid-run (full disk): the WAVs written are intact, rerun to resume.`;

export async function decodeCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    codes: { type: "string", multiple: true },
    model: { type: "string" },
    "output-dir": { type: "string" },
    "sample-format": { type: "string", default: "s16" },
    "first-codebook": { type: "string" },
    "batch-size": { type: "string" },
    device: { type: "string", default: "cpu" },
    rank: { type: "string" },
    "world-size": { type: "string" },
    overwrite: { type: "boolean", default: false },
    rescale: { type: "boolean" },
    ...familyFlagTable("decode"),
    "allow-model-mismatch": { type: "boolean", default: false },
    ...HUB_FLAGS,
  });
  const files = (values.codes as string[] | undefined) ?? [];
  if (files.length === 0) throw new UsageError("--codes is required (one or more code files)");
  for (const file of files) checkCodesFile(file);
  const modelName = requireFlag(values, "model");
  const outputDir = requireFlag(values, "output-dir");
  const sampleFormat = values["sample-format"];
  if (sampleFormat !== "s16" && sampleFormat !== "f32") throw new UsageError(`--sample_format must be s16 or f32, got "${String(sampleFormat)}"`);
  const firstCodebook = values["first-codebook"] === undefined ? 0 : nonNegative(String(values["first-codebook"]), "--first_codebook");
  const placement = resolvePlacement({ rank: values.rank as string | undefined, worldSize: values["world-size"] as string | undefined });
  const { device, deviceId } = selectDevice(String(values.device));
  const given = givenFamilyOptions(values, "decode");
  // The output is checked before the model loads: a fault found after would waste the load.
  checkOutputDir(outputDir);

  const model = await load(modelName, { ...hubOptions(values), device, deviceId: deviceId ?? placement.localRank });
  try {
    if (!model.decode) throw new UsageError(`${modelName} (${model.family}) has no decoder to audio`);
    refuseForeignOptions(given, model, modelName);
    const counts = await decodeCodesFiles(model, files, {
      outputDir,
      placement,
      sampleFormat,
      firstCodebook,
      batchSize: integerFlag(values, "batch-size") ?? 16,
      overwrite: Boolean(values.overwrite),
      ...(given.length === 0 ? {} : { decodeOptions: familyDecodeOptions(given) as DecodeOptions }),
      ...(values.rescale === true ? { postprocess: (audio: Float32Array) => rescaleToPeak(audio) } : {}),
      allowModelMismatch: values["allow-model-mismatch"] === true,
      warn: (message) => process.stderr.write(`${message}\n`),
      cacheDir: hubOptions(values).cacheDir,
    });
    const clipped = counts.clipped > 0 ? `, ${counts.clipped} clipped in 16-bit (--rescale or --sample_format f32 keeps them)` : "";
    process.stderr.write(
      `rank ${placement.rank} of ${placement.worldSize}: ${counts.done} written, ${counts.skipped} already there, ` +
        `${counts.failed} failed${counts.failed > 0 ? ` (see ${decodeErrorsPath(outputDir, placement)})` : ""}${clipped}\n`,
    );
    return counts.failed > 0 ? EXIT_SOME_FAILED : EXIT_OK;
  } finally {
    await model.dispose();
  }
}

function nonNegative(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a non-negative decimal integer, got "${value}"`);
  return Number(value);
}
