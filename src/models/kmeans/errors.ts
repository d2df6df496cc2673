/** The k-means model's typed error: a file that is not a usable scikit-learn k-means model, naming it and what is wrong. */
import { TokenizerError, type S3ErrorOptions } from "../../errors.js";

export class KMeansModelError extends TokenizerError {
  readonly path: string;
  constructor(path: string, problem: string, options: S3ErrorOptions = {}) {
    // MODEL_STRUCTURE: the stable code every family uses for "not the model we expect".
    super("MODEL_STRUCTURE", `${path}: not a usable k-means model: ${problem}`, options);
    this.path = path;
  }
}
