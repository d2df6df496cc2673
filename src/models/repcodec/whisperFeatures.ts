/**
 * Opening the Whisper encoder's features from a checkpoint file in Node (whisperEncoder.ts has the
 * extractor, which a page opens from a checkpoint's bytes). Here the graph is built in a worker
 * thread and opened from a scratch file (whisperConvert.ts, runtime/fileSession.ts), so no copy of
 * the weights outlives the load on this thread.
 */
import { encodeModel } from "../../onnx/encode.js";
import { openScratchSession } from "../../runtime/fileSession.js";
import { ort } from "../../runtime/session.js";
import { convertWhisperInWorker, whisperFeatureModel } from "./whisperConvert.js";
import { whisperGraphOptions, WhisperFeatureExtractor as Extractor, type WhisperFeatureOptions, type WhisperGraphShape } from "./whisperEncoder.js";

export { MAX_WHISPER_SECONDS, SAMPLES_PER_FEATURE, type WhisperFeatureOptions } from "./whisperEncoder.js";

export type WhisperFeatureExtractor = Extractor;

export const WhisperFeatureExtractor = {
  /** Opens a Whisper checkpoint's encoder up to `layer` (1-based, as RepCodec counts; default: every block) on onnxruntime-node. */
  async open(path: string, layer: number | undefined, options: WhisperFeatureOptions = {}): Promise<Extractor> {
    const graph = whisperGraphOptions(options);
    let shape: WhisperGraphShape | undefined;
    const session = await openScratchSession(
      async (dir) => {
        const converted = await convertWhisperInWorker({ path, layer, graph, dir });
        shape = converted;
        return converted.graph;
      },
      // No scratch folder: built here and handed over as bytes.
      async () => {
        const built = await whisperFeatureModel({ path, layer, graph });
        shape = built;
        return encodeModel(built.model);
      },
      options,
      path,
    );
    return Extractor.fromSession(path, shape!, session, ort);
  },
};
