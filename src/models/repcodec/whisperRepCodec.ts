/**
 * RepCodec over Whisper features, audio to tokens: the SpeechTokenizerModel of the RepCodec
 * family. One row of codes per utterance, 50 frames per second (samples // 320 frames).
 * RepCodec's decoder gives back Whisper features, not audio, so there is no `decode` here;
 * `decodeFeatures` exposes it.
 */
import { RequestCancelledError } from "../../pipeline/dynamicBatcher.js";
import type { Codes, EncodeOptions, ModelFiles, SpeechTokenizerModel } from "../../family/types.js";
import { InvalidInputError } from "../../errors.js";
import type { RuntimeOptions } from "../../runtime/session.js";
import { loadRepCodec, type RepCodecLoadOptions } from "./load.js";
import type { RepCodecModel } from "./model.js";
import { SAMPLES_PER_FEATURE, WhisperFeatureExtractor } from "./whisperFeatures.js";

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

  static async open(files: RepCodecWhisperFiles, source: string, options: RuntimeOptions = {}): Promise<RepCodecWhisperModel> {
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
    return new RepCodecWhisperModel(source, features, repcodec, files);
  }

  async encode(inputs: readonly Float32Array[], options: EncodeOptions = {}): Promise<Codes[]> {
    if ((options.firstCodebook ?? 0) !== 0 || (options.codebooks ?? 1) !== 1) {
      throw new InvalidInputError(`RepCodec has one row of codes: codebooks ${options.codebooks ?? 1} from ${options.firstCodebook ?? 0} asked`);
    }
    const codes: Codes[] = [];
    // One utterance at a time bounds memory: Whisper's attention spans the whole utterance.
    for (const samples of inputs) {
      if (options.signal?.aborted) throw new RequestCancelledError();
      const [tokens] = await this.repcodec.tokenize(await this.features.features([samples]));
      codes.push({ data: tokens!, codebooks: 1, frames: tokens!.length });
    }
    return codes;
  }

  /** Whisper features [frames, width] reconstructed from each utterance's codes. */
  decodeFeatures(codes: readonly Codes[]): Promise<Float32Array[]> {
    return this.repcodec.decodeFeatures(codes.map((c) => c.data));
  }

  async dispose(): Promise<void> {
    await Promise.all([this.features.dispose(), this.repcodec.dispose()]);
  }
}
