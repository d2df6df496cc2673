/**
 * RepCodec over Whisper features, audio to tokens: the SpeechTokenizerModel of the RepCodec
 * family. One row of codes per utterance, 50 frames per second (samples // 320 frames).
 * RepCodec's decoder gives back Whisper features, not audio, so there is no `decode` here;
 * `decodeFeatures` exposes it.
 */
import { RequestCancelledError } from "../../pipeline/dynamicBatcher.js";
import type { Codes, EncodeOptions, ModelFiles, SpeechTokenizerModel } from "../../family/types.js";
import { InvalidInputError } from "../../errors.js";
import { planBatches } from "../../pipeline/batchPlan.js";
import { loadRepCodec, type RepCodecLoadOptions } from "./load.js";
import type { RepCodecModel } from "./model.js";
import { SAMPLES_PER_FEATURE, WhisperFeatureExtractor, type WhisperFeatureOptions } from "./whisperFeatures.js";

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

export class RepCodecWhisperModel implements SpeechTokenizerModel {
  readonly family = "repcodec" as const;
  readonly sampleRate = 16000;
  readonly frameRate = 16000 / SAMPLES_PER_FEATURE;
  readonly codebooks = 1;
  readonly hopLength = SAMPLES_PER_FEATURE;
  readonly parallelism = 1;
  /** The RepCodec checkpoint and the Whisper checkpoint (and the YAML, when given). */
  readonly files: ModelFiles;

  private constructor(
    readonly source: string,
    readonly features: WhisperFeatureExtractor,
    readonly repcodec: RepCodecModel,
    files: RepCodecWhisperFiles,
    private readonly batchLimits: { maxBatchFrames: number; maxBatchSize: number },
  ) {
    this.files = {
      "repcodec.pkl": files.repcodec,
      "whisper.pt": files.whisper,
      ...(files.configPath === undefined ? {} : { "config.yaml": files.configPath }),
    };
  }

  get codebookSize(): number {
    return this.repcodec.config.codebook_size;
  }

  static async open(files: RepCodecWhisperFiles, source: string, options: RepCodecWhisperOptions = {}): Promise<RepCodecWhisperModel> {
    const loadOptions: RepCodecLoadOptions = { ...options };
    if (files.configPath !== undefined) loadOptions.configPath = files.configPath;
    const repcodec = await loadRepCodec(files.repcodec, loadOptions);
    const features = await WhisperFeatureExtractor.open(files.whisper, files.layer, options).catch(async (error: unknown) => {
      await repcodec.dispose();
      throw error;
    });
    if (features.width !== repcodec.featureWidth) {
      await Promise.all([features.dispose(), repcodec.dispose()]);
      throw new InvalidInputError(`${files.whisper} gives ${features.width}-wide features, but ${files.repcodec} takes ${repcodec.featureWidth}`);
    }
    return new RepCodecWhisperModel(source, features, repcodec, files, {
      maxBatchFrames: options.maxBatchFrames ?? 6000,
      maxBatchSize: options.maxBatchSize ?? 16,
    });
  }

  async encode(inputs: readonly Float32Array[], options: EncodeOptions = {}): Promise<Codes[]> {
    if ((options.firstCodebook ?? 0) !== 0 || (options.codebooks ?? 1) !== 1) {
      throw new InvalidInputError(`RepCodec has one row of codes: codebooks ${options.codebooks ?? 1} from ${options.firstCodebook ?? 0} asked`);
    }
    const codes: Codes[] = new Array(inputs.length);
    for (const batch of this.plan(inputs)) {
      if (options.signal?.aborted) throw new RequestCancelledError();
      const features = await this.features.features(batch.map((i) => inputs[i]!), batch.map((i) => `inputs[${i}]`));
      const tokens = await this.repcodec.tokenize(features);
      batch.forEach((input, b) => {
        codes[input] = { data: tokens[b]!, codebooks: 1, frames: tokens[b]!.length };
      });
    }
    return codes;
  }

  /**
   * Batches of input indices: short utterances in padded batches under the frame budget (each
   * row masked to its own frames, so a batch equals its rows alone), long ones alone.
   */
  private plan(inputs: readonly Float32Array[]): number[][] {
    const frames = inputs.map((samples) => Math.ceil(samples.length / SAMPLES_PER_FEATURE));
    const short = frames.flatMap((n, i) => (n <= BATCHED_FRAMES ? [i] : []));
    const batches = planBatches(short.map((i) => frames[i]!), this.batchLimits).map((batch) => batch.map((j) => short[j]!));
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
