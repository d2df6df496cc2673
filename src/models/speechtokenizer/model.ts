/**
 * A loaded SpeechTokenizer in Node: SpeechTokenizerCodec (codecModel.ts) on onnxruntime-node.
 */
import type { FamilyLoadOptions } from "../../family/types.js";
import { nodeBackend } from "../../runtime/nodeBackend.js";
import { SpeechTokenizerCodec } from "./codecModel.js";
import type { SpeechTokenizerWeights } from "./weights.js";

export { MAX_FRAMES } from "./codecModel.js";

export class SpeechTokenizerOnnxModel extends SpeechTokenizerCodec {
  constructor(
    weights: SpeechTokenizerWeights,
    source: string,
    options: FamilyLoadOptions = {},
    /** Code frames per chunk of the audio-rate convolutions (default 10 s); small values are for tests. */
    chunkFrames?: number,
  ) {
    super(nodeBackend, weights, source, options, chunkFrames);
  }
}
