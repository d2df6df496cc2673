/**
 * The RepCodec family as the toolkit sees it: RepCodec over Whisper features, audio to one row of
 * tokens. Each registry model needs two files: openai's Whisper checkpoint (downloaded by name,
 * cached, verified by the sha256 in its URL) and RepCodec's trainer checkpoint, which is on Google
 * Drive (no plain download): the user places it in the model's cache folder, or names local files.
 */
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { OfflineModelMissingError } from "../../errors.js";
import type { FamilyLoadOptions, FamilyModelSpec, ModelFiles, SpeechTokenizerModel, TokenizerFamily } from "../../family/types.js";
import { writeRandomRepCodecWhisper } from "./randomModel.js";
import { REPCODEC_RELEASES } from "./open.js";
import { RepCodecWhisperModel } from "./whisperRepCodec.js";
import { REPCODEC_OPTIONS } from "./options.js";

export { REPCODEC_RELEASES };

export interface RepCodecFamilyLoadOptions extends FamilyLoadOptions {
  /** 1-based Whisper block (default: the release's, else the encoder's last). */
  layer?: number;
  /** RepCodec YAML checked against the weights. */
  configPath?: string;
}

/** The first file of `files` whose name ends with `suffix`. */
function fileEnding(files: ModelFiles, suffix: string): string | undefined {
  return Object.entries(files).find(([name]) => name.endsWith(suffix))?.[1];
}

export const repcodecFamily: TokenizerFamily = {
  name: "repcodec",
  title: "RepCodec",
  options: REPCODEC_OPTIONS,
  batching: { unitName: "Whisper feature frames (50 a second)", defaults: "6000 (2 minutes), at most 16 utterances; audio over 30 s runs alone" },
  description: "RepCodec over Whisper features (mct10/RepCodec): 50 Hz, one row of 1024 codes; decodes to features, not audio",
  models: REPCODEC_RELEASES.map((release): FamilyModelSpec => ({
    name: release.name,
    files: [release.whisper],
    description: `Whisper ${release.whisper.file} layer ${release.layer} + RepCodec ${release.repcodec.file} (place it by hand: ${release.repcodec.page})`,
  })),
  byHand: [
    ...REPCODEC_RELEASES.map((release) => `${release.repcodec.file} (for ${release.name}): ${release.repcodec.page}`),
    "  Google Drive serves no plain download: place the .pkl in <cache>/NAME/ (then --model NAME downloads Whisper and",
    "  uses it), or pass a folder holding the .pkl and Whisper's .pt as --model DIR",
  ],
  decodes: false,

  /** A folder holding one RepCodec .pkl and one Whisper .pt. */
  async detect(path: string): Promise<ModelFiles | null> {
    const info = await stat(path).catch(() => null);
    if (!info?.isDirectory()) return null;
    const names = await readdir(path);
    const pkl = names.filter((n) => n.endsWith(".pkl"));
    const pt = names.filter((n) => n.endsWith(".pt"));
    if (pkl.length !== 1 || pt.length !== 1) return null;
    return { [pkl[0]!]: join(path, pkl[0]!), [pt[0]!]: join(path, pt[0]!) };
  },

  async load(files: ModelFiles, source: string, options: RepCodecFamilyLoadOptions = {}): Promise<SpeechTokenizerModel> {
    const release = REPCODEC_RELEASES.find((r) => r.name === source || files[r.whisper.file] !== undefined);
    const whisper = (release && files[release.whisper.file]) ?? fileEnding(files, ".pt");
    const repcodec = (release && files[release.repcodec.file]) ?? fileEnding(files, ".pkl");
    if (repcodec === undefined || whisper === undefined) {
      const missing = repcodec === undefined ? release?.repcodec.file ?? "the RepCodec .pkl" : release?.whisper.file ?? "the Whisper .pt";
      const folder = whisper ?? repcodec;
      const expected = folder === undefined ? missing : join(dirname(folder), basename(missing));
      const url = repcodec === undefined ? release?.repcodec.page ?? "https://github.com/mct10/RepCodec" : release?.whisper.url ?? "https://github.com/openai/whisper";
      throw new OfflineModelMissingError(source, expected, url, `${missing} is missing${repcodec === undefined ? " (RepCodec's checkpoints are on Google Drive, which serves no plain download)" : ""}`);
    }
    const layer = options.layer ?? release?.layer;
    return RepCodecWhisperModel.open({ repcodec, whisper, ...(layer === undefined ? {} : { layer }), ...(options.configPath === undefined ? {} : { configPath: options.configPath }) }, source, options);
  },

  async writeRandomModel(dir: string, options: { seed: number; size: "tiny" | "released" }): Promise<ModelFiles> {
    return writeRandomRepCodecWhisper(dir, options.seed, options.size);
  },
};
