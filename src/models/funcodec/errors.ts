/**
 * Typed errors of the FunCodec family, in the toolkit's hierarchy (TokenizerError with a stable
 * code): a config that is not one of the supported architectures, an utterance too long to encode.
 */
import { InvalidInputError, ModelConfigError } from "../../errors.js";

const SUPPORTED =
  "supported: time-domain encodec models (model: encodec, encoder: encodec_seanet_encoder, decoder: encodec_seanet_decoder, " +
  "quantizer: costume_quantizer, norm: time_group_norm, non-causal, seq_model: lstm)";

/** config.yaml names an architecture or option this toolkit does not build: a ModelConfigError saying what is supported. */
export function unsupportedConfig(path: string, problem: string): ModelConfigError {
  return new ModelConfigError(path, `unsupported FunCodec config: ${problem}; ${SUPPORTED}`);
}

/** An utterance longer than the model accepts (codes depend on the whole utterance, so it is not windowed). */
export class FunCodecAudioTooLongError extends InvalidInputError {
  readonly source: string;
  constructor(source: string, samples: number, maxSamples: number, sampleRate: number) {
    super(
      `${source}: ${samples} samples (${(samples / sampleRate).toFixed(1)} s) is longer than this FunCodec model accepts ` +
        `(${maxSamples} samples, ${(maxSamples / sampleRate).toFixed(1)} s): its GroupNorm statistics span the whole utterance, ` +
        "so it cannot be cut into windows without changing the codes; raise maxSeconds if memory allows",
    );
    this.source = source;
  }
}
