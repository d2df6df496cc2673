/**
 * What every RepCodec-over-a-speech-encoder model does per batch, whichever encoder gives the
 * features (Whisper: whisperModel.ts; HuBERT / data2vec: speechEncoderModel.ts): features of
 * the batch's utterances, then RepCodec's tokens of them, as one row of codes each.
 */
import { RequestCancelledError } from "../../pipeline/dynamicBatcher.js";
import type { Codes, EncodeOptions } from "../../family/types.js";
import { InvalidInputError } from "../../errors.js";
import type { RepCodecModel } from "./model.js";

/** A speech encoder's features of 16 kHz audio: [T, width] row-major per utterance. */
export interface RepCodecFeatureSource {
  readonly source: string;
  readonly width: number;
  features(audio: readonly Float32Array[], sources?: readonly string[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/** RepCodec has one row of codes: any other request is refused by name. */
export function checkOneRow(options: EncodeOptions): void {
  if ((options.firstCodebook ?? 0) !== 0 || (options.codebooks ?? 1) !== 1) {
    throw new InvalidInputError(`RepCodec has one row of codes: codebooks ${options.codebooks ?? 1} from ${options.firstCodebook ?? 0} asked`);
  }
}

/** Both parts disposed and a clear error when the encoder's width is not what RepCodec takes. */
export async function checkFeatureWidth(features: RepCodecFeatureSource, repcodec: RepCodecModel): Promise<void> {
  if (features.width === repcodec.featureWidth) return;
  await Promise.all([features.dispose(), repcodec.dispose()]);
  throw new InvalidInputError(`${features.source} gives ${features.width}-wide features, but ${repcodec.source} takes ${repcodec.featureWidth}`);
}

/** Codes of `inputs`, computed batch by batch (`batches`: input indices, each index once). */
export async function codesByBatches(
  inputs: readonly Float32Array[],
  batches: readonly (readonly number[])[],
  parts: { features: RepCodecFeatureSource; repcodec: RepCodecModel },
  signal: AbortSignal | undefined,
): Promise<Codes[]> {
  const codes: Codes[] = new Array(inputs.length);
  for (const batch of batches) {
    if (signal?.aborted) throw new RequestCancelledError();
    const features = await parts.features.features(batch.map((i) => inputs[i]!), batch.map((i) => `inputs[${i}]`));
    const tokens = await parts.repcodec.tokenize(features);
    batch.forEach((input, b) => {
      codes[input] = { data: tokens[b]!, codebooks: 1, frames: tokens[b]!.length };
    });
  }
  return codes;
}
