/**
 * One error hierarchy for the whole toolkit. Every error a user can trigger with bad input is a
 * subclass of S3TokenizerError with a stable `code`, a message that names the input and what is
 * wrong with it, and the underlying `cause` kept. Type guards let callers branch without
 * `instanceof` across package copies.
 */

export type S3ErrorCode =
  | "MODEL_FORMAT"
  | "MODEL_STRUCTURE"
  | "AUDIO_DECODE"
  | "AUDIO_TOO_SHORT"
  | "INVALID_INPUT"
  | "DEVICE_UNAVAILABLE"
  | "USAGE";

export interface S3ErrorOptions {
  cause?: unknown;
}

/** Base class of every error this package throws on purpose. */
export class S3TokenizerError extends Error {
  readonly code: S3ErrorCode;
  constructor(code: S3ErrorCode, message: string, options: S3ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** The file is not a readable ONNX protobuf (not ONNX at all, truncated, unreadable). */
export class ModelFormatError extends S3TokenizerError {
  readonly path: string;
  constructor(path: string, problem: string, options: S3ErrorOptions = {}) {
    super("MODEL_FORMAT", `${path}: not a readable ONNX model: ${problem}`, options);
    this.path = path;
  }
}

/** The file is ONNX but not an S3 tokenizer, or a tensor the model needs is missing. */
export class ModelStructureError extends S3TokenizerError {
  readonly path: string;
  /** What was looked for and not found (a node, a weight, an attribute). */
  readonly missing: string;
  constructor(path: string, missing: string, detail?: string, options: S3ErrorOptions = {}) {
    super(
      "MODEL_STRUCTURE",
      `${path}: not an S3 tokenizer file: missing ${missing}${detail ? ` (${detail})` : ""}`,
      options,
    );
    this.path = path;
    this.missing = missing;
  }
}

/** An audio input could not be decoded. */
export class AudioDecodeError extends S3TokenizerError {
  /** The file path, or a description such as "samples[3]" for in-memory input. */
  readonly source: string;
  constructor(source: string, problem: string, options: S3ErrorOptions = {}) {
    super("AUDIO_DECODE", `${source}: cannot decode audio: ${problem}`, options);
    this.source = source;
  }
}

/** Audio that decodes but is too short to give one feature frame. */
export class AudioTooShortError extends S3TokenizerError {
  readonly source: string;
  constructor(source: string, samples: number, minimum: number) {
    super(
      "AUDIO_TOO_SHORT",
      `${source}: audio too short: ${samples} samples at 16 kHz, at least ${minimum} are needed`,
    );
    this.source = source;
  }
}

/** A caller passed arguments of the wrong shape or type. */
export class InvalidInputError extends S3TokenizerError {
  constructor(message: string, options: S3ErrorOptions = {}) {
    super("INVALID_INPUT", message, options);
  }
}

/** The requested device (execution provider) is not available in this installation. */
export class DeviceUnavailableError extends S3TokenizerError {
  readonly device: string;
  constructor(device: string, reason: string, options: S3ErrorOptions = {}) {
    super("DEVICE_UNAVAILABLE", `device "${device}" is not available: ${reason}`, options);
    this.device = device;
  }
}

/** Wrong command-line usage. */
export class UsageError extends S3TokenizerError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

export function isS3TokenizerError(error: unknown): error is S3TokenizerError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "string" &&
    error instanceof S3TokenizerError;
}

export function isModelError(error: unknown): error is ModelFormatError | ModelStructureError {
  return error instanceof ModelFormatError || error instanceof ModelStructureError;
}

export function isAudioError(error: unknown): error is AudioDecodeError | AudioTooShortError {
  return error instanceof AudioDecodeError || error instanceof AudioTooShortError;
}
