/**
 * Opening a RepCodec model from a model source (family.ts loads this when a model opens): over
 * Whisper (Node: Whisper's graph built in a worker thread; a page: from the checkpoints' bytes) or
 * over a fairseq HuBERT / data2vec-audio checkpoint, told apart from the checkpoint itself.
 */
import { parseCheckpoint } from "../../checkpoint/parseCheckpoint.js";
import { InvalidInputError, OfflineModelMissingError } from "../../errors.js";
import { namesEnding, type ModelSource } from "../../family/modelSource.js";
import type { FamilyLoadOptions, OpenContext, TokenizerModel } from "../../family/types.js";
import { requireFeatureCheckpointKind } from "../common/featureCheckpoint.js";
import type { RepCodecFamilyLoadOptions } from "./family.js";
import { openRepCodecParts, openRepCodecSpeechEncoderParts } from "./open.js";
import { REPCODEC_RELEASES } from "./releases.js";
import { RepCodecWhisperModel as WhisperModel } from "./repcodecOverWhisper.js";
import { openRepCodecSpeechEncoder } from "./speechEncoderFiles.node.js";
import { RepCodecSpeechEncoderModel, SPEECH_ENCODER_REPCODEC_FILES } from "./speechEncoderModel.js";
import { REPCODEC_SPEECH_ENCODER_RELEASES, speechEncoderReleaseOf } from "./speechEncoderReleases.js";
import { RepCodecWhisperModel } from "./whisperFiles.node.js";

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

/** Opens RepCodec over Whisper or over a fairseq speech encoder, as the source holds. */
export async function openRepCodecSource(source: ModelSource, familyOptions: FamilyLoadOptions, context: OpenContext): Promise<TokenizerModel> {
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
  }
