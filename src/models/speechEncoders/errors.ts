/**
 * The speech encoders' typed errors: a fairseq checkpoint this code cannot run (naming the file
 * and what is wrong or not implemented), and a layer the encoder does not have.
 */
import { TokenizerError, type S3ErrorOptions } from "../../errors.js";

/** A fairseq checkpoint that is not a usable HuBERT or data2vec-audio encoder. */
export class SpeechEncoderModelError extends TokenizerError {
  readonly path: string;
  constructor(path: string, problem: string, options: S3ErrorOptions = {}) {
    // MODEL_STRUCTURE: the stable code every family uses for "not the model we expect".
    super("MODEL_STRUCTURE", `${path}: not a usable speech encoder: ${problem}`, options);
    this.path = path;
  }
}

/** A checkpoint of a model this project does not implement; `architecture` says which it is. */
export class UnsupportedSpeechEncoderError extends SpeechEncoderModelError {
  readonly architecture: string;
  constructor(path: string, architecture: string, detail: string) {
    super(path, `${architecture}: ${detail}`);
    this.architecture = architecture;
  }
}
