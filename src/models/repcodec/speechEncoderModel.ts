/**
 * RepCodec over HuBERT or data2vec-audio features, audio to tokens, as RepCodec's
 * `examples/dump_feature.py` then its `repcodec` CLI compute them: the fairseq encoder's layer-L
 * features (speechEncoders/), then RepCodec's tokens. One row of codes per utterance, 50 frames per
 * second (floor((L − 400) / 320) + 1 frames for the released conv stack). RepCodec's decoder gives
 * back features, not audio: no `decode`, `decodeFeatures` instead. Built from opened parts on any
 * runtime backend (Node opens them from files: speechEncoderRepCodec.ts).
 */
import type { Codes, EncodeOptions, ModelFiles, TokenizerModel } from "../../family/types.js";
import { planBatches, type BatchLimits, type BatchPolicy } from "../../pipeline/batchPlan.js";
import type { SpeechEncoderFeatureExtractor } from "../speechEncoders/extractor.js";
import { frontEndFrames } from "../speechEncoders/waveform.js";
import { checkFeatureWidth, checkOneRow, codesByBatches } from "./featureCodes.js";
import type { RepCodecModel } from "./model.js";

/** Samples per feature frame of the released conv stacks (strides 5 · 2⁶). */
const SAMPLES_PER_FRAME = 320;

/**
 * Utterances up to this many frames (30 s) share padded batches; longer ones run alone, since
 * their attention already fills the machine.
 */
const BATCHED_FRAMES = 1500;

export interface RepCodecSpeechEncoderBatching {
  /** Most padded feature frames (batch size × longest) per forward pass (default 6000, 2 minutes). */
  maxBatchFrames?: number;
  /** Most utterances per forward pass (default 16). */
  maxBatchSize?: number;
  /**
   * Most padded frames as a share of real ones in a batch (default 0.1): on a CPU a padded frame
   * costs as much as a real one in the 16 kHz convolutions and the attention.
   */
  maxPaddingRatio?: number;
}

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
    this.batching = { unit: "frames", unitName: "speech-encoder frames (50 a second)", maxBatchUnits: batchLimits.maxBatchFrames, maxBatchSize: batchLimits.maxBatchSize, maxPaddingRatio: batchLimits.maxPaddingRatio };
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
    return new RepCodecSpeechEncoderModel(source, parts.features, parts.repcodec, files, {
      maxBatchFrames: options.maxBatchFrames ?? 6000,
      maxBatchSize: options.maxBatchSize ?? 16,
      maxPaddingRatio: options.maxPaddingRatio ?? 0.1,
    });
  }

  async encode(inputs: readonly Float32Array[], options: EncodeOptions = {}): Promise<Codes[]> {
    checkOneRow(options);
    return codesByBatches(inputs, this.plan(inputs), this, options.signal);
  }

  /** Batches of input indices: short utterances in padded batches under the limits, long ones alone. */
  private plan(inputs: readonly Float32Array[]): number[][] {
    const frames = inputs.map((samples) => frontEndFrames(samples.length, this.features.config.convLayers));
    const short = frames.flatMap((n, i) => (n <= BATCHED_FRAMES ? [i] : []));
    const batches = planBatches(short.map((i) => frames[i]!), this.batchLimits).map((batch) => batch.map((j) => short[j]!));
    return [...batches, ...frames.flatMap((n, i) => (n > BATCHED_FRAMES ? [[i]] : []))];
  }

  /** Encoder features [frames, width] reconstructed from each utterance's codes. */
  decodeFeatures(codes: readonly Codes[]): Promise<Float32Array[]> {
    return this.repcodec.decodeFeatures(codes.map((c) => c.data));
  }

  async dispose(): Promise<void> {
    await Promise.all([this.features.dispose(), this.repcodec.dispose()]);
  }
}
