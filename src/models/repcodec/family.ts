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
import { namesEnding } from "../../family/modelSource.js";
import type { FamilyLoadOptions, FamilyModelSpec, TokenizerFamily } from "../../family/types.js";
import { REPCODEC_RELEASES } from "./releases.js";
import { REPCODEC_OPTIONS } from "./options.js";
import { isTorchCheckpoint } from "../common/featureCheckpoint.js";
import { REPCODEC_SPEECH_ENCODER_RELEASES } from "./speechEncoderReleases.js";

export { REPCODEC_RELEASES };

export interface RepCodecFamilyLoadOptions extends FamilyLoadOptions {
  /** 1-based Whisper block (default: the release's, else the encoder's last). */
  layer?: number;
  /** RepCodec YAML checked against the weights (Node: a path). */
  configPath?: string;
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

  async open(source, options, context) {
    // The model code loads when a model opens: a command that only lists families or parses flags stays quick.
    return (await import("./openSource.js")).openRepCodecSource(source, options, context);
  },

  async writeRandomModel(dir, options) {
    return (await import("./randomModel.node.js")).writeRandomRepCodecWhisper(dir, options.seed, options.size);
  },
};
