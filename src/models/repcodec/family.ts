/**
 * The RepCodec family as the toolkit sees it: RepCodec over Whisper, HuBERT or data2vec-audio
 * features, audio to one row of tokens. A model is two files: RepCodec's trainer checkpoint (.pkl)
 * and the feature model's (.pt), told apart as Whisper or fairseq by its top-level keys
 * (common/featureCheckpoint.ts). Each registry model (Whisper) downloads openai's checkpoint by
 * name, verified by the sha256 in its URL; RepCodec's .pkl is on Google Drive (no plain download):
 * the user places it in the model's cache folder, or names local files. The HuBERT / data2vec
 * models have no registry name (no digest is published for fairseq's .pt): `byHand` says where
 * their files come from.
 */
import { parseCheckpoint } from "../../checkpoint/parseCheckpoint.js";
import { OfflineModelMissingError } from "../../errors.js";
import { namesEnding, type ModelSource } from "../../family/modelSource.js";
import type { FamilyLoadOptions, FamilyModelSpec, OpenContext, TokenizerFamily, TokenizerModel } from "../../family/types.js";
import { writeRandomRepCodecWhisper } from "./randomModel.node.js";
import { openRepCodecParts, openRepCodecSpeechEncoderParts, REPCODEC_RELEASES } from "./open.js";
import { RepCodecWhisperModel as WhisperModel } from "./repcodecOverWhisper.js";
import { RepCodecWhisperModel } from "./whisperFiles.node.js";
import { REPCODEC_OPTIONS } from "./options.js";
import { isTorchCheckpoint, requireFeatureCheckpointKind } from "../common/featureCheckpoint.js";
import { InvalidInputError } from "../../errors.js";
import { openRepCodecSpeechEncoder } from "./speechEncoderFiles.node.js";
import { RepCodecSpeechEncoderModel, SPEECH_ENCODER_REPCODEC_FILES } from "./speechEncoderModel.js";
import { REPCODEC_SPEECH_ENCODER_RELEASES, speechEncoderReleaseOf } from "./speechEncoderReleases.js";

export { REPCODEC_RELEASES };

export interface RepCodecFamilyLoadOptions extends FamilyLoadOptions {
  /** 1-based Whisper block (default: the release's, else the encoder's last). */
  layer?: number;
  /** RepCodec YAML checked against the weights (Node: a path). */
  configPath?: string;
}

/** The RepCodec .pkl and Whisper .pt of a source, by the release's names where it is one. */
function modelFileNames(source: ModelSource): { repcodec: string | undefined; whisper: string | undefined; release: (typeof REPCODEC_RELEASES)[number] | undefined } {
  const release = REPCODEC_RELEASES.find((r) => r.name === source.label || source.names.includes(r.whisper.file));
  const present = (name: string | undefined) => (name !== undefined && source.names.includes(name) ? name : undefined);
  return {
    release,
    whisper: present(release?.whisper.file) ?? namesEnding(source, ".pt")[0],
    repcodec: present(release?.repcodec.file) ?? namesEnding(source, ".pkl")[0],
  };
}

/** The typed error of a model missing one of its two files, saying where it goes and where it comes from. */
function missingFile(source: ModelSource, names: ReturnType<typeof modelFileNames>): OfflineModelMissingError {
  const { release, repcodec, whisper } = names;
  const missing = repcodec === undefined ? release?.repcodec.file ?? "the RepCodec .pkl" : release?.whisper.file ?? "the Whisper .pt";
  const present = whisper ?? repcodec;
  const presentPath = present === undefined ? undefined : source.locate(present);
  const folder = presentPath?.slice(0, presentPath.lastIndexOf("/") + 1);
  const expected = folder === undefined ? missing : `${folder}${missing.replace(/^.*\//, "")}`;
  const url = repcodec === undefined ? release?.repcodec.page ?? "https://github.com/mct10/RepCodec" : release?.whisper.url ?? "https://github.com/openai/whisper";
  return new OfflineModelMissingError(source.label, expected, url, `${missing} is missing${repcodec === undefined ? " (RepCodec's checkpoints are on Google Drive, which serves no plain download)" : ""}`);
}

/** RepCodec over a fairseq HuBERT / data2vec-audio checkpoint (`encoder`), at --layer or the layer the .pkl's released name says. */
async function openOverSpeechEncoder(source: ModelSource, repcodec: string, encoder: string, options: RepCodecFamilyLoadOptions, context: OpenContext): Promise<TokenizerModel> {
  const layer = options.layer ?? speechEncoderReleaseOf(repcodec)?.layer;
  if (layer === undefined) {
    throw new InvalidInputError(
      `${source.label}: RepCodec over the fairseq checkpoint ${encoder} needs --layer (the encoder layer RepCodec was trained on: ` +
        `${REPCODEC_SPEECH_ENCODER_RELEASES.map((r) => `${r.name} ${r.layer}`).join(", ")})`,
    );
  }
  const repcodecPath = source.localPath?.(repcodec);
  const encoderPath = source.localPath?.(encoder);
  if (repcodecPath !== undefined && encoderPath !== undefined) {
    const files = { repcodec: repcodecPath, featureModel: encoderPath, layer, ...(options.configPath === undefined ? {} : { configPath: options.configPath }) };
    return openRepCodecSpeechEncoder(files, source.label, options);
  }
  const repcodecCheckpoint = await parseCheckpoint(await source.read(repcodec), source.locate(repcodec));
  const encoderCheckpoint = await parseCheckpoint(await source.read(encoder), source.locate(encoder));
  const parts = await openRepCodecSpeechEncoderParts(repcodecCheckpoint, encoderCheckpoint, layer, options, context.backend);
  const names = SPEECH_ENCODER_REPCODEC_FILES;
  return RepCodecSpeechEncoderModel.fromParts(parts, { [names.repcodec]: repcodec, [names.featureModel]: encoder }, source.label, options);
}

export const repcodecFamily: TokenizerFamily = {
  name: "repcodec",
  title: "RepCodec",
  options: REPCODEC_OPTIONS,
  batching: { unitName: "Whisper feature frames (50 a second)", defaults: "6000 (2 minutes), at most 16 utterances; audio over 30 s runs alone" },
  description: "RepCodec over Whisper, HuBERT or data2vec features (mct10/RepCodec): 50 Hz, one row of 1024 codes; decodes to features, not audio",
  models: REPCODEC_RELEASES.map((release): FamilyModelSpec => ({
    name: release.name,
    files: [release.whisper],
    placedByHand: [release.repcodec.file],
    description: `Whisper ${release.whisper.file} layer ${release.layer} + RepCodec ${release.repcodec.file} (place it by hand: ${release.repcodec.page})`,
  })),
  byHand: [
    ...REPCODEC_RELEASES.map((release) => `${release.repcodec.file} (for ${release.name}): ${release.repcodec.page}`),
    "  Google Drive serves no plain download: place the .pkl in <cache>/NAME/ (then --model NAME downloads Whisper and",
    "  uses it), or pass a folder holding the .pkl and Whisper's .pt as --model DIR",
    ...REPCODEC_SPEECH_ENCODER_RELEASES.map((release) => `${release.repcodec.file} over ${release.encoder.file} (layer ${release.layer}): ${release.repcodec.page} + ${release.encoder.url}`),
    "  no digest is published for fairseq's .pt, so these have no registry name: pass --model PKL --feature_model PT",
    "  [--layer N] (default: the layer the .pkl's name says), or a folder holding both as --model DIR",
  ],
  decodes: false,
  commands: [
    {
      name: "repcodec",
      usage: "s3tokenizer repcodec FEAT_DIR --model PKL --tsv_path TSV --out_dir DIR",
      summary: "RepCodec tokens of dumped speech-encoder features",
      load: () => import("./command.node.js"),
    },
    {
      name: "features",
      usage: "s3tokenizer features --wav_scp FILE | --tsv_path TSV --feature_model PT --layer L --out_dir DIR",
      summary: "speech-encoder features in RepCodec's dump layout (dump_feature.py), to train RepCodec or k-means on",
      load: () => import("./featuresCommand.node.js"),
    },
  ],

  /**
   * A folder (not one file) holding one RepCodec .pkl (a torch checkpoint, not a joblib k-means
   * file of that suffix) and one feature model's .pt.
   */
  async detect(source) {
    if (source.chosen !== undefined) return null;
    const pkl = namesEnding(source, ".pkl");
    const pt = namesEnding(source, ".pt");
    if (pkl.length !== 1 || pt.length !== 1 || !(await isTorchCheckpoint(source, pkl[0]!))) return null;
    return [pkl[0]!, pt[0]!];
  },

  async open(source, familyOptions, context) {
    const options = familyOptions as RepCodecFamilyLoadOptions;
    const names = modelFileNames(source);
    const { repcodec, whisper, release } = names;
    if (repcodec === undefined || whisper === undefined) throw missingFile(source, names);
    if (release === undefined && (await requireFeatureCheckpointKind(source, whisper, ["whisper", "fairseq"])) === "fairseq") {
      return openOverSpeechEncoder(source, repcodec, whisper, options, context);
    }
    const layer = options.layer ?? release?.layer;
    const repcodecPath = source.localPath?.(repcodec);
    const whisperPath = source.localPath?.(whisper);
    if (repcodecPath !== undefined && whisperPath !== undefined) {
      // On disk: Whisper's graph built in a worker thread (Node).
      return RepCodecWhisperModel.open(
        { repcodec: repcodecPath, whisper: whisperPath, ...(layer === undefined ? {} : { layer }), ...(options.configPath === undefined ? {} : { configPath: options.configPath }) },
        source.label,
        options,
      );
    }
    const repcodecCheckpoint = await parseCheckpoint(await source.read(repcodec), source.locate(repcodec));
    const whisperCheckpoint = await parseCheckpoint(await source.read(whisper), source.locate(whisper));
    const parts = await openRepCodecParts(repcodecCheckpoint, whisperCheckpoint, layer, options, context.backend);
    return WhisperModel.fromParts(parts, { "repcodec.pkl": repcodec, "whisper.pt": whisper }, source.label);
  },

  async writeRandomModel(dir, options) {
    return writeRandomRepCodecWhisper(dir, options.seed, options.size);
  },
};
