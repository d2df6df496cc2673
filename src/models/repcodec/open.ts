/**
 * RepCodec over Whisper (or over HuBERT / data2vec-audio) from the two checkpoints' contents, on any runtime backend: Node's
 * loaders read them from disk (load.ts, whisperRepCodec.ts), a page from downloaded bytes (web/).
 */
import type { Checkpoint } from "../../checkpoint/parseCheckpoint.js";
import type { RuntimeBackend } from "../../runtime/backend.js";
import { SpeechEncoderFeatureExtractor, type SpeechEncoderOptions } from "../speechEncoders/extractor.js";
import { configFromStateDict } from "./config.js";
import { RepCodecModel, type RepCodecOptions } from "./model.js";
import { WhisperFeatureExtractor, type WhisperFeatureOptions } from "./whisperEncoder.js";

export { REPCODEC_RELEASES, type RepCodecWhisperRelease } from "./releases.js";

/** Where upstream's trainer keeps the model's state dict inside the checkpoint. */
export const REPCODEC_STATE_KEYS = ["model", "repcodec"] as const;

/** A RepCodec trainer checkpoint's model (configuration from its shapes), opened on `backend`. */
export function openRepCodecCheckpoint(checkpoint: Checkpoint, options: RepCodecOptions, backend: RuntimeBackend): Promise<RepCodecModel> {
  const dict = checkpoint.stateDict(REPCODEC_STATE_KEYS);
  return RepCodecModel.create(dict, configFromStateDict(dict, checkpoint.path), checkpoint.path, options, backend);
}

/** The RepCodec model of a parsed checkpoint and the features `openFeatures` opens (RepCodec disposed when that fails). */
async function withFeatures<F>(repcodecCheckpoint: Checkpoint, options: RepCodecOptions, backend: RuntimeBackend, openFeatures: () => Promise<F>): Promise<{ repcodec: RepCodecModel; features: F }> {
  const repcodec = await openRepCodecCheckpoint(repcodecCheckpoint, options, backend);
  const features = await openFeatures().catch(async (error: unknown) => {
    await repcodec.dispose();
    throw error;
  });
  return { repcodec, features };
}

/** The Whisper features and the RepCodec model of two parsed checkpoints, both opened on `backend`. */
export function openRepCodecParts(
  repcodecCheckpoint: Checkpoint,
  whisperCheckpoint: Checkpoint,
  layer: number | undefined,
  options: WhisperFeatureOptions & RepCodecOptions,
  backend: RuntimeBackend,
): Promise<{ repcodec: RepCodecModel; features: WhisperFeatureExtractor }> {
  return withFeatures(repcodecCheckpoint, options, backend, () => WhisperFeatureExtractor.fromCheckpoint(whisperCheckpoint, layer, options, backend));
}

/** The HuBERT / data2vec-audio encoder (up to `layer`) and the RepCodec model of two parsed checkpoints, both opened on `backend`. */
export function openRepCodecSpeechEncoderParts(
  repcodecCheckpoint: Checkpoint,
  encoderCheckpoint: Checkpoint,
  layer: number,
  options: SpeechEncoderOptions & RepCodecOptions,
  backend: RuntimeBackend,
): Promise<{ repcodec: RepCodecModel; features: SpeechEncoderFeatureExtractor }> {
  return withFeatures(repcodecCheckpoint, options, backend, () => SpeechEncoderFeatureExtractor.fromCheckpoint(encoderCheckpoint, layer, options, backend));
}
