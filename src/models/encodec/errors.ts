/**
 * Typed errors of the EnCodec family, in the toolkit's hierarchy: a checkpoint that is not an
 * EnCodec model (or not one whose facts are known), a bandwidth the model does not offer, and a
 * `.ecdc` file that cannot be read.
 */
import { AudioDecodeError, InvalidInputError, ModelConfigError, TokenizerError } from "../../errors.js";

/** The checkpoint's tensors do not make an EnCodec model this toolkit can build, or its facts cannot be told. */
export class NotEncodecError extends ModelConfigError {
  constructor(path: string, problem: string) {
    super(path, `not an EnCodec model this toolkit builds: ${problem}`);
  }
}

/** A bandwidth (kbps) the model was not trained for (upstream's set_target_bandwidth refuses it too). */
export class EncodecBandwidthError extends InvalidInputError {
  readonly bandwidth: number;
  constructor(source: string, bandwidth: number, offered: readonly number[]) {
    super(`${source}: bandwidth ${bandwidth} kbps is not one this EnCodec model offers (${offered.join(", ")} kbps)`);
    this.bandwidth = bandwidth;
  }
}

/** A `.ecdc` file that is not EnCodec's compressed format, is truncated, or does not fit the model. */
export class EcdcFormatError extends AudioDecodeError {
  constructor(source: string, problem: string) {
    super(source, `not a readable EnCodec .ecdc file: ${problem}`);
  }
}

/**
 * A `.ecdc` file entropy-coded with EnCodec's language model ("lm": true). Its arithmetic decoder
 * needs the LM's float32 probabilities bit for bit (a relative error of 1e-7 derails decoding
 * within a few symbols), which a re-implementation whose sums run in another order cannot give;
 * so such files are refused rather than decoded wrongly.
 */
export class EcdcLanguageModelError extends AudioDecodeError {
  constructor(source: string) {
    super(
      source,
      "it was compressed with EnCodec's language model (\"lm\": true), which is not supported: decoding it needs that " +
        "transformer's float32 probabilities bit for bit, and any other summation order derails the arithmetic decoder " +
        "within a few symbols; compress without the LM instead (upstream: encodec without --lm, or compress(model, wav, use_lm=False))",
    );
  }
}

/**
 * A checkpoint named as upstream names its releases (`<name>-<8 hex digits>.th`) whose sha256 does
 * not start with those digits: upstream's _get_pretrained refuses it (_check_checksum), and so does this.
 */
export class EncodecChecksumPrefixError extends TokenizerError {
  readonly path: string;
  constructor(path: string, prefix: string, actual: string) {
    super("CHECKSUM_MISMATCH", `${path}: its name promises a sha256 starting ${prefix}, the file's is ${actual}: damaged or renamed (upstream refuses it too)`);
    this.path = path;
  }
}
