/**
 * RepCodec over HuBERT or data2vec-audio features, audio to tokens, as RepCodec's
 * `examples/dump_feature.py` then its `repcodec` CLI compute them: the fairseq encoder's layer-L
 * features (speechEncoders/), then RepCodec's tokens. One row of codes per utterance, 50 frames per
 * second (floor((L − 400) / 320) + 1 frames for the released conv stack). RepCodec's decoder gives
 * back features, not audio: no `decode`, `decodeFeatures` instead. Built from opened parts on any
 * runtime backend (Node opens them from files: speechEncoderRepCodec.ts).
 */
import type { Codes, EncodeOptions, ModelFiles, TokenizerModel } from "../../family/types.js";
import type { BatchLimits, BatchPolicy } from "../../pipeline/batchPlan.js";
import { planSpeechEncoderBatches, speechEncoderBatchLimits, speechEncoderBatchPolicy, type SpeechEncoderBatching } from "../speechEncoders/batching.js";
import type { SpeechEncoderFeatureExtractor } from "../speechEncoders/extractor.js";
import { checkFeatureWidth, checkOneRow, codesByBatches } from "./featureCodes.js";
import type { RepCodecModel } from "./model.js";

/** Samples per feature frame of the released conv stacks (strides 5 · 2⁶). */
const SAMPLES_PER_FRAME = 320;

export type RepCodecSpeechEncoderBatching = SpeechEncoderBatching;

/** File names the model's provenance lists them under. */
export const SPEECH_ENCODER_REPCODEC_FILES = { repcodec: "repcodec.pkl", featureModel: "feature_model.pt", config: "config.yaml" } as const;

export class RepCodecSpeechEncoderModel implements TokenizerModel {
  readonly family = "repcodec" as const;
  readonly sampleRate = 16000;
  readonly frameRate = 16000 / SAMPLES_PER_FRAME;
  readonly codebooks = 1;
  readonly hopLength = SAMPLES_PER_FRAME;
  readonly parallelism = 1;
  /** Mono: a file of several channels gives channel 0, as RepCodec's reader (soundfile, first channel). */
  readonly channels = 1;
  readonly batching: BatchPolicy;
  /** The RepCodec checkpoint and the fairseq checkpoint (and the YAML, when given). */
  readonly files: ModelFiles;

  private constructor(
    readonly source: string,
    readonly features: SpeechEncoderFeatureExtractor,
    readonly repcodec: RepCodecModel,
    files: ModelFiles,
    private readonly batchLimits: Required<BatchLimits>,
  ) {
    this.files = files;
    this.batching = speechEncoderBatchPolicy(batchLimits);
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
