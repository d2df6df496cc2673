/**
 * One error hierarchy for the whole toolkit. Every error a user can trigger with bad input is a
 * subclass of TokenizerError with a stable `code`, a message that names the input and what is
 * wrong with it, and the underlying `cause` kept. Type guards let callers branch without
 * `instanceof` across package copies.
 */

export type S3ErrorCode =
  | "MODEL_FORMAT"
  | "MODEL_STRUCTURE"
  | "MODEL_CONFIG"
  | "AUDIO_DECODE"
  | "AUDIO_TOO_SHORT"
  | "INVALID_INPUT"
  | "DEVICE_UNAVAILABLE"
  | "USAGE"
  | "QUEUE_FULL"
  | "CANCELLED"
  | "MODEL_NOT_FOUND"
  | "UNKNOWN_MODEL"
  | "UNRECOGNIZED_MODEL"
  | "REGISTRY"
  | "DOWNLOAD"
  | "CHECKSUM_MISMATCH"
  | "OFFLINE_MODEL_MISSING"
  | "CHECKPOINT_FORMAT"
  | "CHECKPOINT_UNSAFE"
  | "CHECKPOINT_TENSOR"
  | "OUTPUT"
  | "OUTPUT_WRITE"
  | "STORAGE_QUOTA"
  | "CODES_MODEL_MISMATCH";

export interface S3ErrorOptions {
  cause?: unknown;
}

/**
 * Marks this package's errors. A registered symbol (Symbol.for) is the same in every copy of the
 * package loaded into one process, where each copy's classes differ and `instanceof` fails.
 */
const BRAND = Symbol.for("s3tokenizer.error");

/** Base class of every error this package throws on purpose. */
export class TokenizerError extends Error {
  readonly code: S3ErrorCode;
  readonly [BRAND] = true;
  constructor(code: S3ErrorCode, message: string, options: S3ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * @deprecated The base class's old name, from when S3Tokenizer was the only family: use
 * TokenizerError. Kept (the same class, so `instanceof` holds) until the next minor version.
 */
export const S3TokenizerError = TokenizerError;
/** @deprecated Use TokenizerError. */
export type S3TokenizerError = TokenizerError;

/** The file is not a readable ONNX protobuf (not ONNX at all, truncated, unreadable). */
export class ModelFormatError extends TokenizerError {
  readonly path: string;
  constructor(path: string, problem: string, options: S3ErrorOptions = {}) {
    super("MODEL_FORMAT", `${path}: not a readable ONNX model: ${problem}`, options);
    this.path = path;
  }
}

/** The file is ONNX but not an S3 tokenizer, or a tensor the model needs is missing. */
export class ModelStructureError extends TokenizerError {
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
export class AudioDecodeError extends TokenizerError {
  /** The file path, or a description such as "samples[3]" for in-memory input. */
  readonly source: string;
  constructor(source: string, problem: string, options: S3ErrorOptions = {}) {
    super("AUDIO_DECODE", `${source}: cannot decode audio: ${problem}`, options);
    this.source = source;
  }
}

/** Audio that decodes but is too short to give one feature frame. */
export class AudioTooShortError extends TokenizerError {
  readonly source: string;
  /** `sampleRate`: the rate the samples are counted at (the model's), named in the message. */
  constructor(source: string, samples: number, minimum: number, sampleRate?: number) {
    super(
      "AUDIO_TOO_SHORT",
      `${source}: audio too short: ${samples} samples${sampleRate === undefined ? "" : ` at ${sampleRate / 1000} kHz`}, at least ${minimum} are needed`,
    );
    this.source = source;
  }
}

/** A caller passed arguments of the wrong shape or type. */
export class InvalidInputError extends TokenizerError {
  constructor(message: string, options: S3ErrorOptions = {}) {
    super("INVALID_INPUT", message, options);
  }
}

/** The requested device (execution provider) is not available in this installation. */
export class DeviceUnavailableError extends TokenizerError {
  readonly device: string;
  constructor(device: string, reason: string, options: S3ErrorOptions = {}) {
    super("DEVICE_UNAVAILABLE", `device "${device}" is not available: ${reason}`, options);
    this.device = device;
  }
}

/** Wrong command-line usage. */
export class UsageError extends TokenizerError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** True for an error of this package, from this copy of it or any other (duck typing on the brand). */
export function isTokenizerError(error: unknown): error is TokenizerError {
  return typeof error === "object" && error !== null && (error as { [BRAND]?: unknown })[BRAND] === true &&
    typeof (error as { code?: unknown }).code === "string";
}

/** @deprecated Use isTokenizerError (the base class's new name); kept until the next minor version. */
export const isS3TokenizerError = isTokenizerError;

export function isModelError(error: unknown): error is ModelFormatError | ModelStructureError {
  return error instanceof ModelFormatError || error instanceof ModelStructureError;
}

export function isAudioError(error: unknown): error is AudioDecodeError | AudioTooShortError {
  return error instanceof AudioDecodeError || error instanceof AudioTooShortError;
}

/** A model file or URL that does not exist: a local path that is missing, or an HTTP 404/410. */
export class ModelNotFoundError extends TokenizerError {
  /** The path or URL that was looked for. */
  readonly location: string;
  constructor(location: string, detail: string, options: S3ErrorOptions = {}) {
    super("MODEL_NOT_FOUND", `${location}: model not found: ${detail}`, options);
    this.location = location;
  }
}

/** A model name that is neither a file nor in the registry. */
export class UnknownModelError extends TokenizerError {
  readonly modelName: string;
  /** The names the registry knows. */
  readonly known: readonly string[];
  constructor(modelName: string, known: readonly string[]) {
    super(
      "UNKNOWN_MODEL",
      `"${modelName}" is not a file and not a known model name; known names: ${known.join(", ")} ` +
        "(or pass the path of a released .onnx file)",
    );
    this.modelName = modelName;
    this.known = known;
  }
}

/** A local path that no tokenizer family recognizes as its model. */
export class UnrecognizedModelError extends TokenizerError {
  readonly path: string;
  /** The families that were asked. */
  readonly families: readonly string[];
  constructor(path: string, families: readonly string[]) {
    super(
      "UNRECOGNIZED_MODEL",
      `${path}: no tokenizer family recognizes this model (asked: ${families.join(", ")}); give a released model's ` +
        "file or folder (e.g. an S3Tokenizer .onnx file) or a model name",
    );
    this.path = path;
    this.families = families;
  }
}

/** A registry file that cannot be read or holds an invalid entry. */
export class RegistryError extends TokenizerError {
  readonly file: string;
  /** The offending entry's name, when the problem is one entry. */
  readonly entry: string | undefined;
  constructor(file: string, entry: string | undefined, problem: string, options: S3ErrorOptions = {}) {
    super("REGISTRY", `${file}: invalid model registry${entry === undefined ? "" : `, entry "${entry}"`}: ${problem}`, options);
    this.file = file;
    this.entry = entry;
  }
}

/** A download that failed for a reason other than 404 or a bad checksum (network, stall, HTTP error). */
export class DownloadError extends TokenizerError {
  readonly url: string;
  constructor(url: string, problem: string, options: S3ErrorOptions = {}) {
    super("DOWNLOAD", `${url}: download failed: ${problem}`, options);
    this.url = url;
  }
}

/** Downloaded or cached bytes whose sha256 is not the registry's. The bad file has been removed. */
export class ChecksumMismatchError extends TokenizerError {
  /** The URL or path whose bytes were checked. */
  readonly source: string;
  readonly expected: string;
  readonly actual: string;
  constructor(source: string, expected: string, actual: string) {
    super("CHECKSUM_MISMATCH", `${source}: sha256 mismatch: expected ${expected}, got ${actual} (the bad file was removed)`);
    this.source = source;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Offline mode and the model is not (or no longer validly) in the cache. */
/** One file a model needs offline: where it goes and where it comes from. */
export interface MissingModelFile {
  expectedPath: string;
  url: string;
  /** Why it is not usable (absent, failed its sha256 check). */
  why: string;
}

export class OfflineModelMissingError extends TokenizerError {
  readonly modelName: string;
  /** Where the (first missing) file must be placed for offline use. */
  readonly expectedPath: string;
  /** Where the (first missing) file can be downloaded from. */
  readonly url: string;
  /** Every missing file of the model (one for a single-file model; given: the message lists each). */
  readonly missing: readonly MissingModelFile[];
  constructor(modelName: string, expectedPath: string, url: string, why: string, missing?: readonly MissingModelFile[]) {
    const files = missing ?? [{ expectedPath, url, why }];
    super(
      "OFFLINE_MODEL_MISSING",
      missing === undefined
        ? `model "${modelName}" is not available offline: ${why}. Place the file at ${expectedPath} ` +
            `(download it from ${url}), or leave offline mode (the offline option, --offline, S3TOKENIZER_OFFLINE) to have it downloaded`
        : `model "${modelName}" is not available offline: ${why}. Place each missing file: ` +
            files.map((f) => `${f.expectedPath} (${f.why}; download it from ${f.url})`).join("; ") +
            `, or leave offline mode (the offline option, --offline, S3TOKENIZER_OFFLINE) to have them downloaded`,
    );
    this.modelName = modelName;
    this.expectedPath = expectedPath;
    this.url = url;
    this.missing = files;
  }
}

/** A model's configuration file (e.g. a codec's config.json) is unreadable or describes no model we can build. */
export class ModelConfigError extends TokenizerError {
  readonly path: string;
  constructor(path: string, problem: string, options: S3ErrorOptions = {}) {
    super("MODEL_CONFIG", `${path}: invalid model configuration: ${problem}`, options);
    this.path = path;
  }
}

/**
 * A file that is not a readable PyTorch checkpoint: not a torch zip or legacy file, a truncated
 * zip, a truncated or damaged pickle, a storage whose data entry is missing or too short.
 */
export class CheckpointFormatError extends TokenizerError {
  readonly path: string;
  constructor(path: string, problem: string, options: S3ErrorOptions = {}) {
    super("CHECKPOINT_FORMAT", `${path}: not a readable PyTorch checkpoint: ${problem}`, options);
    this.path = path;
  }
}

/**
 * A checkpoint whose pickle names a global outside the allow-list (e.g. os.system): loading it
 * would run code, so it is refused without running anything.
 */
export class CheckpointUnsafeError extends TokenizerError {
  readonly path: string;
  /** The refused global, "module.name". */
  readonly global: string;
  constructor(path: string, global: string) {
    super(
      "CHECKPOINT_UNSAFE",
      `${path}: refused to load: the pickle names the global ${global}, which is not plain checkpoint data ` +
        "(only state-dict globals such as collections.OrderedDict and torch tensor storages are allowed)",
    );
    this.path = path;
    this.global = global;
  }
}

/** A tensor a model needs is absent from a checkpoint, or has another shape than expected. */
export class CheckpointTensorError extends TokenizerError {
  readonly path: string;
  /** The tensor's name (or the key path of a missing dict). */
  readonly tensor: string;
  constructor(path: string, tensor: string, problem: string) {
    super("CHECKPOINT_TENSOR", `${path}: tensor ${tensor}: ${problem}`);
    this.path = path;
    this.tensor = tensor;
  }
}

/**
 * The output location cannot be used: not a directory, not writable, held by another process,
 * or written by another model. Found before any work is done.
 */
export class OutputError extends TokenizerError {
  readonly path: string;
  constructor(path: string, problem: string, options: S3ErrorOptions = {}) {
    super("OUTPUT", `${path}: ${problem}`, options);
    this.path = path;
  }
}

/**
 * Writing output failed mid-run (a full disk, an I/O error). What was written before is intact
 * (the failed write was rolled back), so rerunning the same command resumes.
 */
export class OutputWriteError extends TokenizerError {
  readonly path: string;
  /** The system error code (ENOSPC, EIO, ...), when there is one. */
  readonly systemCode: string | undefined;
  constructor(path: string, problem: string, systemCode: string | undefined, options: S3ErrorOptions = {}) {
    super("OUTPUT_WRITE", `${path}: cannot write: ${problem}; everything written before is intact, rerun the same command to resume`, options);
    this.path = path;
    this.systemCode = systemCode;
  }
}

/**
 * The browser's storage refused a model file (its quota is spent, or storage is disabled, as in
 * some private windows). The model still loads from the downloaded bytes this time; it is only
 * not kept for the next visit.
 */
export class StorageQuotaError extends TokenizerError {
  /** The file that could not be stored. */
  readonly file: string;
  constructor(file: string, problem: string, options: S3ErrorOptions = {}) {
    super("STORAGE_QUOTA", `${file}: cannot keep it in the browser's storage: ${problem}`, options);
    this.file = file;
  }
}

/**
 * Codes given to another model than the one that made them (as the provenance record beside their
 * part file says): decoded, they would give noise. Refused before any output unless overridden.
 */
export class CodesModelMismatchError extends TokenizerError {
  /** The codes file. */
  readonly path: string;
  /** The model that made the codes, as its record describes it. */
  readonly codesModel: string;
  /** The model asked to decode them. */
  readonly decodeModel: string;
  constructor(path: string, codesModel: string, decodeModel: string, hint: string) {
    super("CODES_MODEL_MISMATCH", `${path}: these codes were made by ${codesModel}, but the decoding model is ${decodeModel}; ${hint}`);
    this.path = path;
    this.codesModel = codesModel;
    this.decodeModel = decodeModel;
  }
}
