/**
 * RepCodec over Whisper opened from its files in Node (the model itself: whisperModel.ts): the
 * RepCodec trainer checkpoint (with an optional YAML checked against it) and the Whisper
 * checkpoint, on onnxruntime-node.
 */
import { loadRepCodec, type RepCodecLoadOptions } from "./load.js";
import { RepCodecWhisperModel as Model, type RepCodecWhisperOptions } from "./repcodecOverWhisper.js";
import { WhisperFeatureExtractor } from "./whisperFeatures.js";

export type { RepCodecWhisperOptions } from "./repcodecOverWhisper.js";

export interface RepCodecWhisperFiles {
  /** RepCodec trainer checkpoint (.pkl). */
  repcodec: string;
  /** openai/whisper checkpoint (.pt). */
  whisper: string;
  /** 1-based encoder block whose output RepCodec was trained on (default: the last; 24 for medium, 32 for large). */
  layer?: number;
  /** Optional RepCodec YAML, checked against the weights. */
  configPath?: string;
}

export type RepCodecWhisperModel = Model;

export const RepCodecWhisperModel = {
  async open(files: RepCodecWhisperFiles, source: string, options: RepCodecWhisperOptions = {}): Promise<Model> {
    const loadOptions: RepCodecLoadOptions = { ...options };
    if (files.configPath !== undefined) loadOptions.configPath = files.configPath;
    const repcodec = await loadRepCodec(files.repcodec, loadOptions);
    const features = await WhisperFeatureExtractor.open(files.whisper, files.layer, options).catch(async (error: unknown) => {
      await repcodec.dispose();
      throw error;
    });
    const modelFiles = {
      "repcodec.pkl": files.repcodec,
      "whisper.pt": files.whisper,
      ...(files.configPath === undefined ? {} : { "config.yaml": files.configPath }),
    };
    return Model.fromParts({ features, repcodec }, modelFiles, source, options);
  },
};
