/**
 * Typed errors of the FunCodec family, in the toolkit's hierarchy (S3TokenizerError with a stable
 * code): a config that is not one of the supported architectures, or a checkpoint whose generator
 * tensors are missing, misshapen or not ready for inference.
 */
import { S3TokenizerError } from "../../errors.js";

/** config.yaml names an architecture or option this toolkit does not build. */
export class UnsupportedFunCodecConfigError extends S3TokenizerError {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(
      "MODEL_STRUCTURE",
      `${path}: unsupported FunCodec config: ${problem}; supported: time-domain encodec models ` +
        "(model: encodec, encoder: encodec_seanet_encoder, decoder: encodec_seanet_decoder, quantizer: costume_quantizer, " +
        "norm: time_group_norm, non-causal, seq_model: lstm)",
    );
    this.path = path;
  }
}

/** model.pth lacks a generator tensor, holds one of another shape, or is not ready for inference. */
export class FunCodecWeightsError extends S3TokenizerError {
  readonly path: string;
  readonly tensor: string;
  constructor(path: string, tensor: string, problem: string) {
    super("MODEL_STRUCTURE", `${path}: not a FunCodec checkpoint for this config: ${tensor}: ${problem}`);
    this.path = path;
    this.tensor = tensor;
  }
}

/** An utterance longer than the model accepts (codes depend on the whole utterance, so it is not windowed). */
export class FunCodecAudioTooLongError extends S3TokenizerError {
  readonly source: string;
  constructor(source: string, samples: number, maxSamples: number, sampleRate: number) {
    super(
      "INVALID_INPUT",
      `${source}: ${samples} samples (${(samples / sampleRate).toFixed(1)} s) is longer than this FunCodec model accepts ` +
        `(${maxSamples} samples, ${(maxSamples / sampleRate).toFixed(1)} s): its GroupNorm statistics span the whole utterance, ` +
        "so it cannot be cut into windows without changing the codes; raise maxSeconds if memory allows",
    );
    this.source = source;
  }
}
