/**
 * The one interface every tokenizer family implements (S3Tokenizer, SpeechTokenizer, FunCodec,
 * RepCodec), and the family description the rest of the toolkit reads. The corpus job, the
 * service, the hub, `models` and the benchmark see families only through these types: anything
 * family-specific lives in the family's folder under src/models/<family>/.
 */
import type { MixToMono } from "../audio/format.js";
import type { MelSpectrogram } from "../features/logMel.js";
import type { FamilyOption } from "./options.js";
import type { HubOptions } from "../hub/options.js";
import type { BatchPolicy } from "../pipeline/batchPlan.js";

export type { BatchPolicy, BatchUnit } from "../pipeline/batchPlan.js";
import type { RuntimeOptions } from "../runtime/session.js";
import type { LaterStreams, RuntimeBackend } from "../runtime/backend.js";
import type { DerivedFileCache } from "./derivedFiles.js";
import type { ModelSource } from "./modelSource.js";

/** A family's name ("s3", "speechtokenizer", ...): the registry (src/registry/families.ts) lists them. */
export type FamilyName = string;

/** Codes of one utterance: data [codebooks, frames], row-major (row r, frame t at r · frames + t). */
export interface Codes {
  data: Int32Array;
  codebooks: number;
  frames: number;
  /**
   * Index of the quantizer layer that made row 0 (upstream's `st`; 0 when absent). Decoding
   * needs it: row i was made by layer firstCodebook + i.
   */
  firstCodebook?: number;
  /** The utterance's normalisation scale, for families that normalise their input (FunCodec). */
  scale?: number;
  /**
   * Where a model codes an utterance in segments apart (EnCodec 48 kHz: 1 s segments, each
   * normalised on its own): each segment's frames, in order along `frames`, and its scale where the
   * model normalises. Decoding needs them; they travel with the codes in part files and answers.
   */
  segments?: readonly CodeSegment[];
}

/** One segment's share of an utterance's codes (Codes.segments). */
export interface CodeSegment {
  readonly frames: number;
  readonly scale?: number;
}

export interface EncodeOptions {
  /**
   * Rows to return (default: all the model has from firstCodebook on). Upstream SpeechTokenizer's
   * `encode(x, n_q, st)` is { firstCodebook: st, codebooks: n_q − st }.
   */
  codebooks?: number;
  /** First quantizer layer (default 0). Families without residual rows take only 0. */
  firstCodebook?: number;
  /** Aborts the call; pending work is dropped and the promise rejects. */
  signal?: AbortSignal;
}

export interface DecodeOptions {
  signal?: AbortSignal;
}

/** The facts of a loaded model that callers plan with. */
export interface FamilyFacts {
  readonly family: FamilyName;
  /** Input (and decoded) sample rate in Hz: a fact of the model (a FunCodec config states its own). */
  readonly sampleRate: number;
  /**
   * Channels the model takes and decodes to (1 for every family here; a stereo model says 2).
   * Audio of several channels travels planar: [channels, frames] in one Float32Array.
   */
  readonly channels: number;
  /** For a mono model, how a file of several channels becomes one (default "first": channel 0, as upstream's load_audio). */
  readonly mixToMono?: MixToMono;
  /** Code frames per second of audio. */
  readonly frameRate: number;
  /** Rows a full encode returns. */
  readonly codebooks: number;
  /** Distinct values of one code. */
  readonly codebookSize: number;
  /** Samples one code frame decodes to (sampleRate / frameRate), where the family decodes to audio. */
  readonly hopLength: number;
}

/**
 * What feature workers compute from the model's samples for a family with a separable front end
 * (plain data, so it crosses to worker threads): S3's 128-band log-mel.
 */
export interface FrontEndSpec {
  kind: "logMel";
  nMels: number;
}

/**
 * A family's optional front end that the toolkit may run apart from the model (the corpus job's
 * and the service's feature worker threads), so the model's thread only runs the model.
 */
export interface FeatureFrontEnd {
  readonly spec: FrontEndSpec;
  /** Feature frames one forward pass holds: batching groups gather a few of these. */
  readonly batchFrames: number;
  /** Codes of each utterance from its features (what `spec` computes); equal to `encode` of its samples. */
  encodeFeatures(features: readonly MelSpectrogram[], options?: EncodeOptions): Promise<Codes[]>;
}

/** A loaded tokenizer of any family. */
export interface TokenizerModel extends FamilyFacts {
  /** What it was loaded from (registry name or path), for messages and output provenance. */
  readonly source: string;
  /** The local files it was loaded from (file name -> path): what a part file's provenance hashes. */
  readonly files: ModelFiles;
  /** Batches run at once (session streams), for callers that keep work in flight. */
  readonly parallelism: number;
  /** How one call's inputs are cut into forward passes (its unit and budget, for its device). */
  readonly batching: BatchPolicy;
  /**
   * Codes of each utterance (samples at `sampleRate`; planar [channels, frames] for a model of
   * several channels, [frames] for mono), batched as the model sees fit. Equal to encoding each
   * utterance alone.
   */
  encode(inputs: readonly Float32Array[], options?: EncodeOptions): Promise<Codes[]>;
  /**
   * Audio of each utterance's codes at `sampleRate`, planar [channels, frames] ([frames] for mono);
   * absent where the family has no audio decoder.
   */
  decode?(codes: readonly Codes[], options?: DecodeOptions): Promise<Float32Array[]>;
  /**
   * Rows an encode with these options returns, where options other than `codebooks` decide it
   * (a family option such as FunCodec's bit width); absent: `codebooks` or every row.
   */
  rowsFor?(options: EncodeOptions): number;
  /** The front end the toolkit may run in worker threads; absent: `encode` takes samples only. */
  readonly frontEnd?: FeatureFrontEnd;
  /** Frees sessions and threads. The model cannot be used afterwards. */
  dispose(): Promise<void>;
}

/**
 * @deprecated The old name of TokenizerModel (it read as the SpeechTokenizer family's model);
 * kept until the next minor version.
 */
export type SpeechTokenizerModel = TokenizerModel;

/** Options every family's loader takes. Families add their own (e.g. S3's `mode`). */
export interface FamilyLoadOptions extends RuntimeOptions, HubOptions {
  /** "exact" (default) or "fast" (int8 products, where the family offers it). */
  mode?: "exact" | "fast";
  /** Sessions running batches side by side (default: per device). */
  streams?: number;
  /** When the sessions after the first open (families that run several: S3; LaterStreams). */
  laterStreams?: LaterStreams;
  /**
   * FunCodec: false builds and opens the decoder on the first decode instead of at load, for a
   * caller that only encodes (the corpus job: about a second less to its first tokens at the
   * released size). Default true: a decoder opened after a long encode would add its load to the
   * encoder's memory then held (+240 MB at the peak of encoding then decoding the benchmark's
   * workload at the released size).
   */
  decoderAtLoad?: boolean;
  /**
   * Most padded units per forward pass, in the model's batch unit (BatchPolicy: mel frames for
   * S3, samples for FunCodec; each model states its own), default: per device and family.
   */
  maxBatchFrames?: number;
  /** Most inputs per forward pass (default: per device and family). */
  maxBatchSize?: number;
  /**
   * S3 only (the families that cut long audio into windows): "s3tokenizer-0.3.0" plans that
   * release's windows, which lose up to 2 s of tokens past some 26 s strides; absent: tokens
   * for the whole length (models/s3/windows.ts).
   */
  longAudioCompat?: string;
}

export type { ModelFileSpec } from "../hub/registry.js";
import type { ModelFileSpec } from "../hub/registry.js";

/** A model a family offers by name. */
export interface FamilyModelSpec {
  name: string;
  files: readonly ModelFileSpec[];
  description: string;
  /**
   * Files whose text the entry itself carries (file name → text), written into the model's
   * folder beside the downloaded ones: a file upstream publishes with no digest (a config) is
   * pinned by carrying its content; the loader checks it against the downloaded weights.
   */
  carried?: Readonly<Record<string, string>>;
  /**
   * Files of the model no URL serves (the user places them in the model's cache folder): a page,
   * which has no such folder, does not offer the model by name.
   */
  placedByHand?: readonly string[];
}

/** The local files of a model: file name (as in ModelFileSpec.file) → path. */
export type ModelFiles = Readonly<Record<string, string>>;

/**
 * A command of the `s3tokenizer` CLI that a family brings (`s3tokenizer repcodec FEAT_DIR ...`):
 * its line in the top-level help, and its module, loaded only when it runs (Node only).
 */
export interface FamilyCommand {
  readonly name: string;
  /** Its usage line and what it does, for `s3tokenizer help`. */
  readonly usage: string;
  readonly summary: string;
  load(): Promise<{ run(argv: string[], tools: CommandTools): Promise<number>; help: string }>;
}

/** What the CLI lends a family's command: the registry's loader and its output writer. */
export interface CommandTools {
  /** Any family's model by registry name or local path (the registry's load()). */
  loadModel(nameOrPath: string, options?: FamilyLoadOptions): Promise<TokenizerModel>;
  /** Writes an output file whole or not at all (a typed OutputError / OutputWriteError naming it). */
  writeOutput(path: string, data: Uint8Array | string): void;
}

/**
 * What a family's open() is given besides the model's files: the runtime its sessions run on
 * (onnxruntime-node in Node, onnxruntime-web in a page) and, where the loader keeps one, a cache
 * for files derived from the model's (converted graphs).
 */
export interface OpenContext {
  readonly backend: RuntimeBackend;
  readonly derivedFiles?: DerivedFileCache;
}

/**
 * What the toolkit knows of a family without loading a model. A new family is its folder under
 * src/models/<family>/ with one of these in its family.ts, and one line in src/registry/families.ts:
 * Node's load(), the corpus job, `serve`, `models`, the page and the shared test suite find it there.
 * Browser-safe: a family.ts imports no Node module (the page bundles every family).
 */
export interface TokenizerFamily {
  readonly name: FamilyName;
  /** The family's own name for people ("S3Tokenizer", "FunCodec"): messages, help, choosers. */
  readonly title: string;
  /** Its own options (flags, query parameters, provenance): declared in its folder's options.ts. */
  readonly options: readonly FamilyOption[];
  /** What its models' batch budget counts and its defaults, for help (each loaded model states its BatchPolicy). */
  readonly batching: { readonly unitName: string; readonly defaults: string };
  /** One line for `models` and `--help`. */
  readonly description: string;
  /** The models this family offers by name. */
  readonly models: readonly FamilyModelSpec[];
  /**
   * Where a user gets the model files no entry can download (no digest is published, or the host
   * serves no plain download) and what to pass then: lines for `models` and the help.
   */
  readonly byHand?: readonly string[];
  /** Whether a decoder to audio exists. */
  readonly decodes: boolean;
  /** Commands of its own in the `s3tokenizer` CLI. */
  readonly commands?: readonly FamilyCommand[];
  /**
   * The names of this family's files in `source`, or null when the source holds no model of this
   * family. Reads at most file names, headers or a config: cheap enough to ask every family.
   */
  detect(source: ModelSource): Promise<readonly string[] | null>;
  /** Opens the model in `source` (one that detect() accepted). */
  open(source: ModelSource, options: FamilyLoadOptions, context: OpenContext): Promise<TokenizerModel>;
  /**
   * Writes a model of this family with seeded random weights into `dir`, in the released files'
   * format (the shared test suite's "tiny" size; the benchmark's "released" size, the shapes of
   * the family's main release), and returns its files. Loading them back goes through the same
   * reader as a released checkpoint. Node only (a page's bundle gets a refusal in its place).
   */
  writeRandomModel(dir: string, options: { seed: number; size: "tiny" | "released" }): Promise<ModelFiles>;
}
