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

/** A registry model: the Whisper file it downloads, the RepCodec file the user places. */
export interface RepCodecWhisperRelease {
  name: string;
  whisper: { file: string; url: string; sha256: string };
  repcodec: { file: string; page: string };
  /** 1-based Whisper block RepCodec was trained on. */
  layer: number;
}

const WHISPER_BASE = "https://openaipublic.azureedge.net/main/whisper/models";

export const REPCODEC_RELEASES: readonly RepCodecWhisperRelease[] = [
  {
    name: "repcodec_whisper_medium_l24",
    whisper: { file: "medium.pt", url: `${WHISPER_BASE}/345ae4da62f9b3d59415adc60127b97c714f32e89e936602e85993674d08dcb1/medium.pt`, sha256: "345ae4da62f9b3d59415adc60127b97c714f32e89e936602e85993674d08dcb1" },
    repcodec: { file: "whisper_medium_l24.pkl", page: "https://drive.google.com/file/d/1V6YJSA2V4iywXrecJAN0oqsa3aHowexZ/view" },
    layer: 24,
  },
  {
    name: "repcodec_whisper_large_l32",
    whisper: { file: "large-v2.pt", url: `${WHISPER_BASE}/81f7c96c852ee8fc832187b0132e569d6c3065a3252ed18e56effd0b6a73e524/large-v2.pt`, sha256: "81f7c96c852ee8fc832187b0132e569d6c3065a3252ed18e56effd0b6a73e524" },
    repcodec: { file: "whisper_large_l32.pkl", page: "https://drive.google.com/file/d/1k_X7ZMPg8iOeDrIJe70v6CHfFygzufXC/view" },
    layer: 32,
  },
];

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
