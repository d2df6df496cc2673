/**
 * RepCodec over Whisper features, audio to tokens: the TokenizerModel of the RepCodec
 * family. One row of codes per utterance, 50 frames per second (samples // 320 frames).
 * RepCodec's decoder gives back Whisper features, not audio, so there is no `decode` here;
 * `decodeFeatures` exposes it. Built from opened parts on any runtime backend (Node opens them
 * from files: whisperRepCodec.ts; a page from downloaded bytes: web/).
 */
import { RequestCancelledError } from "../../pipeline/dynamicBatcher.js";
import type { Codes, EncodeOptions, ModelFiles, TokenizerModel } from "../../family/types.js";
import { InvalidInputError } from "../../errors.js";
import { planBatches, policyLimits, type BatchPolicy } from "../../pipeline/batchPlan.js";
import { checkFeatureWidth, checkOneRow, codesByBatches } from "./featureCodes.js";
import type { RepCodecModel } from "./model.js";
import { SAMPLES_PER_FEATURE, type WhisperFeatureExtractor, type WhisperFeatureOptions } from "./whisperEncoder.js";

/**
 * Utterances up to this many feature frames (30 s, Whisper's own window) share padded batches;
 * longer ones run alone, since their attention already fills the machine.
 */
const BATCHED_FRAMES = 1500;

export interface RepCodecWhisperOptions extends WhisperFeatureOptions {
  /** Most padded feature frames (batch size × longest) per forward pass (default 6000, 2 minutes). */
  maxBatchFrames?: number;
  /** Most utterances per forward pass (default 16). */
  maxBatchSize?: number;
}

export class RepCodecWhisperModel implements TokenizerModel {
  readonly family = "repcodec" as const;
  readonly sampleRate = 16000;
  /** Mono: a file of several channels gives channel 0, as upstream's load_audio. */
  readonly channels = 1;
  readonly frameRate = 16000 / SAMPLES_PER_FEATURE;
  readonly codebooks = 1;
  readonly hopLength = SAMPLES_PER_FEATURE;
  readonly parallelism = 1;
  /** Padded Whisper feature frames (50 per second) per pass, for utterances up to 30 s; longer ones run alone. */
  readonly batching: BatchPolicy;
  /** The RepCodec checkpoint and the Whisper checkpoint (and the YAML, when given). */
  readonly files: ModelFiles;

  private constructor(
    readonly source: string,
    readonly features: WhisperFeatureExtractor,
    readonly repcodec: RepCodecModel,
    files: ModelFiles,
    batching: BatchPolicy,
  ) {
    this.files = files;
    this.batching = batching;
  }

  get codebookSize(): number {
    return this.repcodec.config.codebook_size;
  }

  /**
   * The model of opened parts (disposed here when their widths disagree); `files` are what it was
   * loaded from, for provenance.
   */
  static async fromParts(
    parts: { features: WhisperFeatureExtractor; repcodec: RepCodecModel },
    files: ModelFiles,
    source: string,
    options: RepCodecWhisperOptions = {},
  ): Promise<RepCodecWhisperModel> {
    const { features, repcodec } = parts;
    await checkFeatureWidth(features, repcodec);
    return new RepCodecWhisperModel(source, features, repcodec, files, {
      unit: "frames",
      unitName: "feature frames",
      maxBatchUnits: options.maxBatchFrames ?? 6000,
      maxBatchSize: options.maxBatchSize ?? 16,
    });
  }

  async encode(inputs: readonly Float32Array[], options: EncodeOptions = {}): Promise<Codes[]> {
    checkOneRow(options);
    return codesByBatches(inputs, this.plan(inputs), this, options.signal);
  }

  /**
   * Batches of input indices: short utterances in padded batches under the frame budget (each
   * row masked to its own frames, so a batch equals its rows alone), long ones alone.
   */
  private plan(inputs: readonly Float32Array[]): number[][] {
    const frames = inputs.map((samples) => Math.ceil(samples.length / SAMPLES_PER_FEATURE));
    const short = frames.flatMap((n, i) => (n <= BATCHED_FRAMES ? [i] : []));
    const batches = planBatches(short.map((i) => frames[i]!), policyLimits(this.batching)).map((batch) => batch.map((j) => short[j]!));
    return [...batches, ...frames.flatMap((n, i) => (n > BATCHED_FRAMES ? [[i]] : []))];
  }

  /** Whisper features [frames, width] reconstructed from each utterance's codes. */
  decodeFeatures(codes: readonly Codes[]): Promise<Float32Array[]> {
    return this.repcodec.decodeFeatures(codes.map((c) => c.data));
  }

  async dispose(): Promise<void> {
    await Promise.all([this.features.dispose(), this.repcodec.dispose()]);
  }
}
