/**
 * A loaded S3Tokenizer on any runtime backend: turns padded mel batches, mel spectrograms or
 * sample arrays into token sequences, batched, with long audio through the 30 s windows. Node's
 * S3Tokenizer (tokenizer.ts) adds loading from files and audio paths; a page opens one from the
 * released file's bytes (openReleasedBytes).
 */
import { InvalidInputError } from "../../errors.js";
import { logMelSpectrogram, type MelSpectrogram } from "../../features/logMel.js";
import { decodeModel } from "../../onnx/decode.js";
import { inPlaceLayout, type ExternalFile } from "../../onnx/externalLayout.js";
import { batchedGraphOf, type GraphTarget, type ModelInfo, type ModelMode } from "./releasedGraph.js";
import { webGpuBatchLimits } from "./webgpuPlan.js";
import type { BatchLimits, BatchPolicy } from "../../pipeline/batchPlan.js";
import type { BatchEngine } from "../../pipeline/dynamicBatcher.js";
import { SAMPLE_RATE } from "../../features/constants.js";
import type { Codes, EncodeOptions, FeatureFrontEnd, ModelFiles, TokenizerModel } from "../../family/types.js";
import { checkRows, oneRow } from "./codes.js";
import { sliceView, type MelView } from "./melView.js";
import { LONG_AUDIO_COMPAT_VALUES, mergeWindowTokens, parseLongAudioCompat, planSegments, type LongAudioCompat } from "./windows.js";
import { EncoderRunner } from "./encoderRunner.js";
import { openReleasedFile } from "./releasedFile.node.js";
import type { DerivedFileCache } from "../../family/derivedFiles.js";
import type { GraphRunner, LaterStreams, RuntimeBackend } from "../../runtime/backend.js";
import { isCpu, type RuntimeOptions } from "../../runtime/options.js";

/**
 * The key of an S3 model's one file in its ModelFiles (provenance): the name the hub gives the
 * file of a single-file entry, which every S3 release is.
 */
export const S3_MODEL_FILE = "model.onnx";

/** How an S3 model opens and runs (the library's TokenizerOptions add where files come from). */
export interface TokenizerOptions extends RuntimeOptions {
  /** "exact" (default): the released files' tokens. "fast": int8 projections, faster on CPU, some tokens differ. */
  mode?: ModelMode;
  /**
   * Most padded mel frames per forward pass (batch size × longest input). Bounds memory: the
   * attention scores of one 30 s window of a full-size model take ~180 MB. Infinity puts every
   * input of a call into one batch. On WebGPU at most what models/webgpuPlan.ts allows (more is
   * refused), which is also the default there.
   */
  maxBatchFrames?: number;
  /** Most inputs per forward pass. */
  maxBatchSize?: number;
  /**
   * Most padded frames per batch as a share of its real frames. On a CPU a batch computes no
   * faster per frame than single inputs, so padding is pure loss (default 0.1); on a GPU batching
   * pays (default 0.5).
   */
  maxPaddingRatio?: number;
  /**
   * Sessions running batches side by side, each in its own thread with its share of the
   * intra-op threads (default: 2 on a CPU with at least 2 cores, 1 on a GPU). Each holds its own
   * copy of the weights.
   */
  streams?: number;
  /**
   * When the streams after the first open: "background" (default), right after the first, ready
   * before the batches come; "on-demand", when a batch waits and every open stream is busy, so a
   * job of one batch never opens them (the corpus job: its first tokens and its exit come sooner).
   */
  laterStreams?: LaterStreams;
  /**
   * Audio over 30 s: absent (default), windows up to the first one that holds the end, so the
   * tokens cover the whole utterance; "s3tokenizer-0.3.0", that release's windows, which lose up
   * to 2 s of tokens just past 26 s strides (52 s, 78 s, ...), for token files that must match it
   * (models/s3/windows.ts).
   */
  longAudioCompat?: LongAudioCompat;
}

/** The options' long-audio plan, refused by name when it is none this project has. */
export function longAudioCompatOf(options: TokenizerOptions, source: string): LongAudioCompat | undefined {
  const value = options.longAudioCompat;
  if (value === undefined) return undefined;
  const compat = typeof value === "string" ? parseLongAudioCompat(value) : null;
  if (compat === null) {
    throw new InvalidInputError(
      `${source}: longAudioCompat ${JSON.stringify(value)} is not a known plan; expected ${LONG_AUDIO_COMPAT_VALUES.map((v) => JSON.stringify(v)).join(" or ")}, or none`,
    );
  }
  return compat;
}

/** A padded batch [batch, nMels, frames] (what `padding()` returns). */
export interface MelBatch {
  data: Float32Array;
  batch: number;
  nMels: number;
  frames: number;
}

export interface QuantizeResult {
  /** [batch, maxCodeFrames], 0 past each row's length. */
  codes: Int32Array;
  /** [batch] */
  codeLengths: Int32Array;
  batch: number;
  maxCodeFrames: number;
}

/**
 * Batch limits by device. On a CPU, one 30 s window (3000 frames) per forward pass: a batch
 * computes no faster per frame than its inputs one by one, and larger ones are slower, since
 * the matrix products' rows and the attention scores of the whole batch spill out of the cache
 * (measured on 2 cores: 12000-frame batches 3-4 % slower per frame for v2, 11 % for v1, where
 * the 50 Hz attention is larger); small batches also let the session streams end together.
 * Short inputs still share a pass, which pays below a few hundred frames. A GPU's batches fill
 * its width.
 */
export function defaultBatchLimits(device: TokenizerOptions["device"]): Required<BatchLimits> {
  return isCpu(device)
    ? { maxBatchFrames: 3_000, maxBatchSize: 64, maxPaddingRatio: 0.1 }
    : { maxBatchFrames: 96_000, maxBatchSize: 128, maxPaddingRatio: 0.5 };
}

/**
 * The batch limits of a loaded model: the options over the device's defaults; on WebGPU also
 * within what its storage bindings hold (models/webgpuPlan.ts), where asking for more is an error
 * rather than a silent cap, since the larger batch would give wrong tokens.
 */
export function batchLimitsFor(options: TokenizerOptions, info: ModelInfo): Required<BatchLimits> {
  const defaults = defaultBatchLimits(options.device);
  const limits: Required<BatchLimits> = {
    maxBatchFrames: options.maxBatchFrames ?? defaults.maxBatchFrames,
    maxBatchSize: options.maxBatchSize ?? defaults.maxBatchSize,
    maxPaddingRatio: options.maxPaddingRatio ?? defaults.maxPaddingRatio,
  };
  if (options.device !== "webgpu") return limits;
  const ceiling = webGpuBatchLimits(info.dims, info.version, limits.maxBatchSize);
  if (options.maxBatchFrames !== undefined && options.maxBatchFrames > ceiling.maxBatchFrames) {
    throw new InvalidInputError(
      `maxBatchFrames ${options.maxBatchFrames} is over ${ceiling.maxBatchFrames}, the most one WebGPU batch of ` +
        `${info.source} can hold: larger tensors than a 128 MiB storage binding compute wrong values there`,
    );
  }
  return { ...limits, maxBatchFrames: Math.min(limits.maxBatchFrames, ceiling.maxBatchFrames), maxBatchSize: ceiling.maxBatchSize };
}

/** The graph for a device: the CPU's fused attention, WebGPU's head groups, standard operators for CUDA. */
export function graphTarget(options: TokenizerOptions): GraphTarget {
  return isCpu(options.device) ? "cpu" : options.device === "webgpu" ? "webgpu" : "portable";
}

/** Streams and intra-op threads per stream: the backend's cores shared out, one stream on a GPU. */
export function streamPlan(options: TokenizerOptions, cores: number): { streams: number; runtime: RuntimeOptions } {
  const onCpu = isCpu(options.device);
  const streams = Math.max(1, options.streams ?? (onCpu ? Math.min(2, cores) : 1));
  const intraOpThreads = options.intraOpThreads ?? (onCpu ? Math.max(1, Math.floor(cores / streams)) : undefined);
  const runtime: RuntimeOptions = { device: options.device, deviceId: options.deviceId };
  if (intraOpThreads !== undefined) runtime.intraOpThreads = intraOpThreads;
  return { streams, runtime };
}

export class S3BatchedTokenizer implements BatchEngine<MelSpectrogram, Int32Array>, TokenizerModel {
  readonly family = "s3" as const;
  readonly sampleRate = SAMPLE_RATE;
  /** Mono: a file of several channels gives channel 0, as upstream's load_audio. */
  readonly channels = 1;
  /** One row of tokens, no residual layers. */
  readonly codebooks = 1;
  /** What it was loaded from (registry name or path). */
  readonly source: string;
  /** The released ONNX file it was built from. */
  readonly files: ModelFiles;
  /** Log-mel in the feature workers, then the batched graph (the corpus job's and the service's fast path). */
  readonly frontEnd: FeatureFrontEnd;
  readonly info: ModelInfo;
  private readonly runner: EncoderRunner;
  private streams: GraphRunner | null;
  /** Batches run at once (the session streams asked for). */
  readonly parallelism: number;
  /** The limits each forward pass is planned under (options over the device's defaults). */
  readonly batchLimits: Readonly<Required<BatchLimits>>;
  /** The same limits as the policy every family states: padded mel frames (100 per second). */
  readonly batching: BatchPolicy;
  /** How audio over 30 s is cut into windows (TokenizerOptions.longAudioCompat; undefined: the whole length). */
  readonly longAudioCompat: LongAudioCompat | undefined;

  protected constructor(
    source: string,
    info: ModelInfo,
    streams: GraphRunner,
    limits: Required<BatchLimits>,
    parallelism: number,
    longAudioCompat: LongAudioCompat | undefined,
  ) {
    this.source = source;
    this.longAudioCompat = longAudioCompat;
    this.files = { [S3_MODEL_FILE]: info.source };
    this.info = info;
    this.batchLimits = limits;
    this.batching = { unit: "frames", unitName: "mel frames", maxBatchUnits: limits.maxBatchFrames, maxBatchSize: limits.maxBatchSize, maxPaddingRatio: limits.maxPaddingRatio };
    this.streams = streams;
    this.parallelism = parallelism;
    this.runner = new EncoderRunner(streams, info.dims.nMels, limits, parallelism);
    this.frontEnd = {
      spec: { kind: "logMel", nMels: info.dims.nMels },
      batchFrames: limits.maxBatchFrames,
      encodeFeatures: async (mels, options) => {
        checkRows(options, source);
        return (await this.quantizeMels(mels)).map(oneRow);
      },
    };
  }

  /**
   * Opens a tokenizer from a released S3Tokenizer ONNX file held in memory (any version) on
   * `backend`: decoded with the weights as views into the released bytes, built into a small
   * graph whose weights point into those bytes (external data, nothing copied), then handed to
   * the backend, which reads each tensor from there. `source` names it in messages.
   *
   * Memory: `take()` hands over the released bytes and must drop its own reference; they are
   * released once the session holds its own copy (two copies of the weights at the peak: the
   * file's and the session's).
   */
  static async openReleasedBytes(take: () => Uint8Array, source: string, backend: RuntimeBackend, options: TokenizerOptions = {}): Promise<S3BatchedTokenizer> {
    const plan = streamPlan(options, backend.threads());
    const compat = longAudioCompatOf(options, source);
    const built = serialisedGraph(take, source, options);
    const limits = batchLimitsFor(options, built.info);
    const { graph, files } = built.take();
    const streams = await backend.openStreams(graph, plan.runtime, source, plan.streams, { externalData: files });
    return new S3BatchedTokenizer(source, built.info, streams, limits, plan.streams, compat);
  }

  /**
   * Opens a released S3Tokenizer file on disk (Node): its batched graph from `cache` when stored
   * there (else built and stored), opened by path so that onnxruntime maps the weights. Called on
   * a subclass, makes that subclass (the library's S3Tokenizer).
   */
  static async openReleasedFile<T extends S3BatchedTokenizer>(
    this: { prototype: T },
    path: string,
    source: string,
    backend: RuntimeBackend,
    cache: DerivedFileCache | undefined,
    options: TokenizerOptions = {},
  ): Promise<T> {
    const plan = streamPlan(options, backend.threads());
    const compat = longAudioCompatOf(options, source); // before anything loads
    let limits: Required<BatchLimits> | undefined;
    const settings = { mode: options.mode ?? "exact", target: graphTarget(options), runtime: plan.runtime, streams: plan.streams, laterStreams: options.laterStreams };
    const opened = await openReleasedFile(path, settings, backend, cache, (info) => {
      limits = batchLimitsFor(options, info);
    });
    const make = this as unknown as new (source: string, info: ModelInfo, streams: GraphRunner, limits: Required<BatchLimits>, parallelism: number, compat: LongAudioCompat | undefined) => T;
    return new make(source, opened.info, opened.streams, limits!, plan.streams, compat);
  }

  /** Tokens per second: 50 (v1 50 Hz) or 25. */
  get tokenRate(): number {
    return this.info.dims.tokenRate;
  }

  /** Code frames per second (the family interface's name for tokenRate). */
  get frameRate(): number {
    return this.info.dims.tokenRate;
  }

  get codebookSize(): number {
    return this.info.dims.codebookSize;
  }

  /** Samples per token: 320 (50 Hz) or 640 (25 Hz). */
  get hopLength(): number {
    return SAMPLE_RATE / this.info.dims.tokenRate;
  }

  /** The family interface: codes (one row) of each utterance's 16 kHz samples, batched. */
  async encode(inputs: readonly Float32Array[], options?: EncodeOptions): Promise<Codes[]> {
    checkRows(options, this.source);
    const mels = inputs.map((samples, i) => logMelSpectrogram(samples, this.info.dims.nMels, { source: `samples[${i}]` }));
    const tokens = await this.quantizeMels(mels);
    options?.signal?.throwIfAborted();
    return tokens.map(oneRow);
  }

  /**
   * Upstream's `quantize(mel, mel_len)`: codes of a padded batch [B, nMels, T] with per-row
   * lengths. Rows over 3000 frames go through the 30 s windows.
   */
  async quantize(mels: MelBatch, lengths: ArrayLike<number>): Promise<QuantizeResult> {
    this.checkBatch(mels, lengths);
    const rowStride = mels.frames;
    const views: MelView[] = Array.from({ length: mels.batch }, (_, b) => ({
      data: mels.data,
      nMels: mels.nMels,
      offset: b * mels.nMels * rowStride,
      rowStride,
      frames: lengths[b]!,
    }));
    const rows = await this.encodeViews(views);
    const maxCodeFrames = Math.max(0, ...rows.map((r) => r.length));
    const codes = new Int32Array(mels.batch * maxCodeFrames); // [B, maxCodeFrames]
    rows.forEach((row, b) => codes.set(row, b * maxCodeFrames));
    return { codes, codeLengths: Int32Array.from(rows, (r) => r.length), batch: mels.batch, maxCodeFrames };
  }

  /** Codes of each mel spectrogram [nMels, frames], all in one call (batched). */
  async quantizeMels(mels: readonly MelSpectrogram[]): Promise<Int32Array[]> {
    const views = mels.map((mel, i): MelView => {
      if (mel.nMels !== this.info.dims.nMels) {
        throw new InvalidInputError(`mels[${i}] has ${mel.nMels} bands; this model takes ${this.info.dims.nMels}`);
      }
      if (mel.frames < 1) throw new InvalidInputError(`mels[${i}] has no frames`);
      return { data: mel.data, nMels: mel.nMels, offset: 0, rowStride: mel.frames, frames: mel.frames };
    });
    return this.encodeViews(views);
  }

  /** Mel frames one forward pass holds (BatchEngine). */
  get passCost(): number {
    return this.batchLimits.maxBatchFrames;
  }

  /** The dynamic batcher's measure of a mel spectrogram: its frames (BatchEngine). */
  groupCost(mel: MelSpectrogram): number {
    return mel.frames;
  }

  /** A dynamic batcher's group: quantizeMels (BatchEngine). */
  encodeGroup(mels: readonly MelSpectrogram[]): Promise<Int32Array[]> {
    return this.quantizeMels(mels);
  }

  /** Frees the onnxruntime sessions and their threads. The tokenizer cannot be used afterwards. */
  async dispose(): Promise<void> {
    const streams = this.streams;
    this.streams = null;
    await streams?.close();
  }

  /** Windows of every view through the model together, merged back per view. */
  private async encodeViews(views: readonly MelView[]): Promise<Int32Array[]> {
    if (!this.streams) throw new InvalidInputError("this S3 tokenizer has been disposed");
    const segments = planSegments(views.map((v) => v.frames), this.tokenRate, this.longAudioCompat);
    const codes = await this.runner.encode(segments.map((s) => sliceView(views[s.utterance]!, s.start, s.frames)));
    const perUtterance: Int32Array[][] = views.map(() => []);
    segments.forEach((segment, i) => perUtterance[segment.utterance]!.push(codes[i]!));
    return perUtterance.map((windows) => mergeWindowTokens(windows, this.tokenRate));
  }

  private checkBatch(mels: MelBatch, lengths: ArrayLike<number>): void {
    const { batch, nMels, frames, data } = mels;
    if (nMels !== this.info.dims.nMels) {
      throw new InvalidInputError(`mels have ${nMels} bands; this model takes ${this.info.dims.nMels}`);
    }
    if (data.length !== batch * nMels * frames) {
      throw new InvalidInputError(`mels data has ${data.length} values; [${batch}, ${nMels}, ${frames}] needs ${batch * nMels * frames}`);
    }
    if (lengths.length !== batch) throw new InvalidInputError(`${lengths.length} lengths for a batch of ${batch}`);
    for (let b = 0; b < batch; b++) {
      const length = lengths[b]!;
      if (!Number.isInteger(length) || length < 1 || length > frames) {
        throw new InvalidInputError(`lengths[${b}] = ${length}; expected an integer from 1 to ${frames}`);
      }
    }
  }
}

/**
 * The batched graph of released bytes, serialised with its weights pointing into those bytes,
 * and the bytes to hand the backend beside it; nothing else holds them once it has them.
 */
function serialisedGraph(take: () => Uint8Array, source: string, options: TokenizerOptions): { info: ModelInfo; take: () => { graph: Uint8Array; files: ExternalFile[] } } {
  const { info, graph } = batchedGraphOf(decodeModel(take(), source), source, options.mode ?? "exact", graphTarget(options));
  let built: { graph: Uint8Array; files: ExternalFile[] } | null = inPlaceLayout(graph);
  return {
    info,
    take: () => {
      const out = built!;
      built = null;
      return out;
    },
  };
}
