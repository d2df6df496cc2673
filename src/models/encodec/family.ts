/**
 * The EnCodec family as the rest of the toolkit sees it: a released checkpoint (a bare state dict
 * `<name>-<sha256[:8]>.th`, its name's checksum checked as upstream checks it) with an optional
 * config.json beside it, opened into an EncodecModel; random-weight checkpoints of the same format
 * for tests and the benchmark; `s3tokenizer encodec compress|decompress` for .ecdc files.
 *
 * By name: encodec_24khz, from upstream's download location, pinned by its full sha256 (another
 * public project's loader pins it; it agrees with the 8 hex digits upstream puts in the name).
 * encodec_48khz-7e698e3e.th has only that 8-digit prefix published, so no entry can verify a
 * download of it: it loads from a local file.
 */
import { ModelConfigError } from "../../errors.js";
import { sourceFiles, type ModelSource } from "../../family/modelSource.js";
import type { FamilyModelSpec, TokenizerFamily } from "../../family/types.js";
import { checkChecksumName } from "./checksumName.js";
import type { EncodecLoadOptions } from "./model.js";
import { ENCODEC_OPTIONS } from "./options.js";

/** The optional facts file beside a checkpoint. */
export const ENCODEC_CONFIG = "config.json";

/** A checkpoint's file name as upstream names EnCodec releases (the LM's encodec_lm_* excepted). */
function isEncodecCheckpointName(name: string): boolean {
  return /^encodec_.*\.th$/.test(name) && !name.startsWith("encodec_lm_");
}

/** The checkpoint of a source: the file named, or the one EnCodec checkpoint it holds. */
function checkpointOf(source: ModelSource): string | null {
  if (source.chosen !== undefined) return isEncodecCheckpointName(source.chosen) ? source.chosen : null;
  const found = source.names.filter(isEncodecCheckpointName);
  return found.length === 1 ? found[0]! : null; // none, or several: which one is meant is not for a guess
}

const models: readonly FamilyModelSpec[] = [
  {
    name: "encodec_24khz",
    description: "EnCodec 24 kHz mono (causal): 1.5/3/6/12/24 kbps → 2/4/8/16/32 rows of 1024 codes, 75 frames a second",
    files: [{
      file: "encodec_24khz-d7cc33bc.th",
      url: "https://dl.fbaipublicfiles.com/encodec/v0/encodec_24khz-d7cc33bc.th",
      sha256: "d7cc33bcf1aad7f2dad9836f36431530744abeace3ca033005e3290ed4fa47bf",
    }],
  },
];

export const encodecFamily: TokenizerFamily = {
  name: "encodec",
  title: "EnCodec",
  options: ENCODEC_OPTIONS,
  batching: { unitName: "samples (each channel's, per 1 s segment at 48 kHz)", defaults: "96000" },
  description: "Meta's EnCodec: 24 kHz mono or 48 kHz stereo audio → up to 32 RVQ rows (bandwidth in kbps → rows), a scale per 1 s segment at 48 kHz; decodes to audio",
  models,
  byHand: [
    "encodec_48khz-7e698e3e.th from https://dl.fbaipublicfiles.com/encodec/v0/encodec_48khz-7e698e3e.th:",
    "  only its 8-digit sha256 prefix is published, so no name downloads it; pass the file as --model FILE",
  ],
  decodes: true,
  commands: [
    {
      name: "encodec",
      usage: "s3tokenizer encodec compress|decompress IN OUT [--model NAME|PATH]",
      summary: "EnCodec's .ecdc files: audio to compressed codes and back",
      load: () => import("./command.node.js"),
    },
  ],

  /** An encodec_*.th checkpoint (named, or the one in a folder), with config.json when one is beside it. */
  async detect(source) {
    const checkpoint = checkpointOf(source);
    if (checkpoint === null) return null;
    return source.names.includes(ENCODEC_CONFIG) ? [checkpoint, ENCODEC_CONFIG] : [checkpoint];
  },

  /** The checkpoint (name checksum checked, tensors recognised and checked), graphs built. */
  async open(source, options, context) {
    const checkpoint = checkpointOf(source) ?? source.names.find((name) => name.endsWith(".th"));
    if (checkpoint === undefined) throw new ModelConfigError(source.label, "an EnCodec model needs its .th checkpoint");
    const where = source.locate(checkpoint);
    const bytes = await source.read(checkpoint);
    await checkChecksumName(where, bytes);
    const configWhere = source.locate(ENCODEC_CONFIG);
    const config = source.names.includes(ENCODEC_CONFIG)
      ? { text: await source.text(ENCODEC_CONFIG, (problem, cause) => new ModelConfigError(configWhere, problem, cause === undefined ? {} : { cause })), name: configWhere }
      : undefined;
    // The model code loads when a model opens: a command that only lists families or parses flags stays quick.
    const [{ parseCheckpoint }, { openEncodec }] = await Promise.all([import("../../checkpoint/parseCheckpoint.js"), import("./open.js")]);
    const model = await openEncodec(await parseCheckpoint(bytes, where), config, source.label, options as EncodecLoadOptions, context.backend);
    model.files = sourceFiles(source, config === undefined ? [checkpoint] : [checkpoint, ENCODEC_CONFIG]);
    return model;
  },

  writeRandomModel: async (dir, options) => (await import("./randomFiles.node.js")).writeRandomEncodec(dir, options),
};
