/**
 * RepCodec over HuBERT / data2vec-audio opened from its files in Node (the model itself:
 * speechEncoderModel.ts): the RepCodec trainer checkpoint (with an optional YAML checked against
 * it) and the fairseq checkpoint with the layer RepCodec was trained on, on onnxruntime-node.
 */
import { openSpeechEncoder } from "../speechEncoders/open.js";
import type { SpeechEncoderOptions } from "../speechEncoders/extractor.js";
import { loadRepCodec, type RepCodecLoadOptions } from "./load.js";
import type { RepCodecOptions } from "./model.js";
import { RepCodecSpeechEncoderModel, SPEECH_ENCODER_REPCODEC_FILES, type RepCodecSpeechEncoderBatching } from "./speechEncoderModel.js";

export interface RepCodecSpeechEncoderFiles {
  /** RepCodec trainer checkpoint (.pkl). */
  repcodec: string;
  /** fairseq HuBERT or data2vec-audio checkpoint (.pt). */
  featureModel: string;
  /** 1-based transformer layer whose output RepCodec was trained on (hubert_base_l9: 9). */
  layer: number;
  /** Optional RepCodec YAML, checked against the weights. */
  configPath?: string;
}

export type RepCodecSpeechEncoderOptions = SpeechEncoderOptions & RepCodecOptions & RepCodecSpeechEncoderBatching;

export { SPEECH_ENCODER_REPCODEC_FILES };

export async function openRepCodecSpeechEncoder(
  files: RepCodecSpeechEncoderFiles,
  source: string,
  options: RepCodecSpeechEncoderOptions = {},
): Promise<RepCodecSpeechEncoderModel> {
  const loadOptions: RepCodecLoadOptions = { ...options };
  if (files.configPath !== undefined) loadOptions.configPath = files.configPath;
  const repcodec = await loadRepCodec(files.repcodec, loadOptions);
  const features = await openSpeechEncoder(files.featureModel, files.layer, options).catch(async (error: unknown) => {
    await repcodec.dispose();
    throw error;
  });
  const names = SPEECH_ENCODER_REPCODEC_FILES;
  const modelFiles = {
    [names.repcodec]: files.repcodec,
    [names.featureModel]: files.featureModel,
    ...(files.configPath === undefined ? {} : { [names.config]: files.configPath }),
  };
  return RepCodecSpeechEncoderModel.fromParts({ features, repcodec }, modelFiles, source, options);
}
