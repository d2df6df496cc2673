/**
 * The typed error for a RepCodec checkpoint or configuration that does not describe a model this
 * code can run: it names the file, the tensor or key, and what was expected.
 */
import { S3TokenizerError, type S3ErrorOptions } from "../../errors.js";

export class RepCodecModelError extends S3TokenizerError {
  readonly path: string;
  constructor(path: string, problem: string, options: S3ErrorOptions = {}) {
    // MODEL_STRUCTURE: the same stable code as the S3 reader's "not the model we expect".
    super("MODEL_STRUCTURE", `${path}: not a usable RepCodec model: ${problem}`, options);
    this.path = path;
  }
}
