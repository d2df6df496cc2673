/**
 * RepCodec over HuBERT or data2vec-audio features, audio to tokens, as RepCodec's
 * `examples/dump_feature.py` then its `repcodec` CLI compute them: the fairseq encoder's layer-L
 * features (speechEncoders/), then RepCodec's tokens. One row of codes per utterance, 50 frames per
 * second (floor((L − 400) / 320) + 1 frames for the released conv stack). RepCodec's decoder gives
 * back features, not audio: no `decode`, `decodeFeatures` instead. Built from opened parts on any
 * runtime backend (Node opens them from files: speechEncoderRepCodec.ts).
 */
import type { Codes, EncodeOptions, ModelFiles, TokenizerModel } from "../../family/types.js";
import type { BatchLimits } from "../../pipeline/batchPlan.js";
import { SpeechEncoderTokenFacts } from "../speechEncoders/tokenFacts.js";
import { planSpeechEncoderBatches, speechEncoderBatchLimits, type SpeechEncoderBatching } from "../speechEncoders/batching.js";
import type { SpeechEncoderFeatureExtractor } from "../speechEncoders/extractor.js";
import { checkFeatureWidth, checkOneRow, codesByBatches } from "./featureCodes.js";
import type { RepCodecModel } from "./model.js";


export type RepCodecSpeechEncoderBatching = SpeechEncoderBatching;

/** File names the model's provenance lists them under. */
export const SPEECH_ENCODER_REPCODEC_FILES = { repcodec: "repcodec.pkl", featureModel: "feature_model.pt", config: "config.yaml" } as const;

export class RepCodecSpeechEncoderModel extends SpeechEncoderTokenFacts implements TokenizerModel {
  readonly family = "repcodec" as const;
  /** The RepCodec checkpoint and the fairseq checkpoint (and the YAML, when given). */
  readonly files: ModelFiles;

  private constructor(
    readonly source: string,
    readonly features: SpeechEncoderFeatureExtractor,
    readonly repcodec: RepCodecModel,
    files: ModelFiles,
    batchLimits: Required<BatchLimits>,
  ) {
    super(batchLimits);
    this.files = files;
  }

  get codebookSize(): number {
    return this.repcodec.config.codebook_size;
  }

  /** The model of opened parts (disposed here when their widths disagree); `files` are for provenance. */
  static async fromParts(
    parts: { features: SpeechEncoderFeatureExtractor; repcodec: RepCodecModel },
    files: ModelFiles,
    source: string,
    options: RepCodecSpeechEncoderBatching = {},
  ): Promise<RepCodecSpeechEncoderModel> {
    await checkFeatureWidth(parts.features, parts.repcodec);
    return new RepCodecSpeechEncoderModel(source, parts.features, parts.repcodec, files, speechEncoderBatchLimits(options));
  }

  async encode(inputs: readonly Float32Array[], options: EncodeOptions = {}): Promise<Codes[]> {
    checkOneRow(options);
    return codesByBatches(inputs, this.plan(inputs), this, options.signal);
  }

  private plan(inputs: readonly Float32Array[]): number[][] {
    return planSpeechEncoderBatches(inputs, this.features.config.convLayers, this.batchLimits);
  }

  /** Encoder features [frames, width] reconstructed from each utterance's codes. */
  decodeFeatures(codes: readonly Codes[]): Promise<Float32Array[]> {
    return this.repcodec.decodeFeatures(codes.map((c) => c.data));
  }

  async dispose(): Promise<void> {
    await Promise.all([this.features.dispose(), this.repcodec.dispose()]);
  }
}
