/** Opening a HuBERT / data2vec-audio checkpoint file's encoder in Node (extractor.ts has the backend-neutral part). */
import { readCheckpoint } from "../../checkpoint/readCheckpoint.js";
import { nodeBackend } from "../../runtime/nodeBackend.js";
import { SpeechEncoderFeatureExtractor, type SpeechEncoderOptions } from "./extractor.js";

/** The encoder of the fairseq checkpoint at `path` up to `layer` (1-based), on onnxruntime-node. */
export async function openSpeechEncoder(path: string, layer: number, options: SpeechEncoderOptions = {}): Promise<SpeechEncoderFeatureExtractor> {
  return SpeechEncoderFeatureExtractor.fromCheckpoint(await readCheckpoint(path), layer, options, nodeBackend);
}
