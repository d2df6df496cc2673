/**
 * RepCodec's typed errors: a checkpoint or configuration that does not describe a model this code
 * can run (naming the file, the tensor or key, and what was expected), and a feature dump's .npy
 * that cannot be read (naming the file, and the row of a bad value).
 */
import { InvalidInputError, TokenizerError, type S3ErrorOptions } from "../../errors.js";

export class RepCodecModelError extends TokenizerError {
  readonly path: string;
  constructor(path: string, problem: string, options: S3ErrorOptions = {}) {
    // MODEL_STRUCTURE: the same stable code as the S3 reader's "not the model we expect".
    super("MODEL_STRUCTURE", `${path}: not a usable RepCodec model: ${problem}`, options);
    this.path = path;
  }
}

/** A feature dump's `.npy` that cannot be read as the float matrix it must be: names the file and what is wrong. */
export class NpyFileError extends InvalidInputError {
  readonly path: string;
  constructor(path: string, problem: string, options: S3ErrorOptions = {}) {
    super(`${path}: ${problem}`, options);
    this.path = path;
  }
}

/** A NaN or infinite feature (float64 values past float32's range become infinite): names the file, row and column. */
export class NonFiniteFeatureError extends NpyFileError {
  readonly row: number;
  readonly column: number;
  constructor(path: string, row: number, column: number, value: number) {
    super(path, `row ${row}, column ${column} is ${value}: the features hold non-finite values (a corrupt or diverged dump?)`);
    this.row = row;
    this.column = column;
  }
}
