/** Opening the Whisper encoder's features from a checkpoint file in Node (whisperEncoder.ts has the extractor). */
import { readCheckpoint } from "../../checkpoint/index.js";
import { nodeBackend } from "../../runtime/session.js";
import { WhisperFeatureExtractor as Extractor, type WhisperFeatureOptions } from "./whisperEncoder.js";

export { MAX_WHISPER_SECONDS, SAMPLES_PER_FEATURE, type WhisperFeatureOptions } from "./whisperEncoder.js";

export type WhisperFeatureExtractor = Extractor;

export const WhisperFeatureExtractor = {
  /** Opens a Whisper checkpoint's encoder up to `layer` (1-based, as RepCodec counts; default: every block) on onnxruntime-node. */
  async open(path: string, layer: number | undefined, options: WhisperFeatureOptions = {}): Promise<Extractor> {
    return Extractor.fromCheckpoint(await readCheckpoint(path), layer, options, nodeBackend);
  },
};
