/**
 * k-means units of audio, as fairseq's simple_kmeans computes them (dump_hubert_feature.py then
 * dump_km_label.py): a HuBERT / data2vec-audio encoder's layer-L features (speechEncoders/), then
 * each frame's nearest centre. One row of codes per utterance at 50 Hz; with `dedup`, runs of one
 * unit merged into one (GSLM, SpeechGPT), so a row has fewer frames than the audio has. No decoder.
 * Built from opened parts on any runtime backend.
 */
import { InvalidInputError } from "../../errors.js";
import type { Codes, EncodeOptions, ModelFiles, TokenizerModel } from "../../family/types.js";
import type { BatchLimits } from "../../pipeline/batchPlan.js";
import { SpeechEncoderTokenFacts } from "../speechEncoders/tokenFacts.js";
import { RequestCancelledError } from "../../pipeline/dynamicBatcher.js";
import { planSpeechEncoderBatches, speechEncoderBatchLimits, type SpeechEncoderBatching } from "../speechEncoders/batching.js";
import type { SpeechEncoderFeatureExtractor } from "../speechEncoders/extractor.js";
import type { KMeansQuantizer } from "./units.js";


export interface KMeansUnitsOptions extends SpeechEncoderBatching {
  /** Merge runs of one unit into one. */
  dedup?: boolean;
}

export class KMeansUnitsModel extends SpeechEncoderTokenFacts implements TokenizerModel {
  readonly family = "kmeans" as const;
  readonly dedup: boolean;

  private constructor(
    readonly source: string,
    readonly features: SpeechEncoderFeatureExtractor,
    readonly quantizer: KMeansQuantizer,
    readonly files: ModelFiles,
    batchLimits: Required<BatchLimits>,
    dedup: boolean,
  ) {
    super(batchLimits);
    this.dedup = dedup;
  }

  get codebookSize(): number {
    return this.quantizer.clusters;
  }

  /** The model of opened parts (the encoder disposed here when the widths disagree); `files` are for provenance. */
  static async fromParts(features: SpeechEncoderFeatureExtractor, quantizer: KMeansQuantizer, files: ModelFiles, source: string, options: KMeansUnitsOptions = {}): Promise<KMeansUnitsModel> {
    if (features.width !== quantizer.model.dim) {
      await features.dispose();
      throw new InvalidInputError(`${features.source} gives ${features.width}-wide features (layer ${features.layer}), but the k-means model ${quantizer.model.path} has ${quantizer.model.dim}-wide centres`);
    }
    return new KMeansUnitsModel(source, features, quantizer, files, speechEncoderBatchLimits(options), options.dedup === true);
  }

  async encode(inputs: readonly Float32Array[], options: EncodeOptions = {}): Promise<Codes[]> {
    if ((options.firstCodebook ?? 0) !== 0 || (options.codebooks ?? 1) !== 1) {
      throw new InvalidInputError(`${this.source}: k-means units are one row of codes: codebooks ${options.codebooks ?? 1} from ${options.firstCodebook ?? 0} asked`);
    }
    const codes: Codes[] = new Array(inputs.length);
    for (const batch of planSpeechEncoderBatches(inputs, this.features.config.convLayers, this.batchLimits)) {
      if (options.signal?.aborted) throw new RequestCancelledError();
      const features = await this.features.features(batch.map((i) => inputs[i]!), batch.map((i) => `inputs[${i}]`)); // [T, D] each
      batch.forEach((input, b) => {
        const units = this.quantizer.units(features[b]!, { dedup: this.dedup, source: `inputs[${input}]` });
        codes[input] = { data: units, codebooks: 1, frames: units.length };
      });
    }
    return codes;
  }

  async dispose(): Promise<void> {
    await this.features.dispose();
  }
}
