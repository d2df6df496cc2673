/**
 * TokenizerService: the online tokenizer as a library class, with no HTTP in it, for a model of
 * any family. Audio bytes in (any format the audio module decodes, or raw PCM), codes out;
 * decoding and the model's front end (S3: log-mel) in worker threads; utterances from concurrent callers batched by the DynamicBatcher, so they go through
 * the model together and get the same tokens as one at a time. Work whose AbortSignal fires is
 * dropped wherever it is: before decoding, after decoding, while queued for the model; a group
 * already running cannot be interrupted, so its result is thrown away.
 */
import { audioFormatOf, secondsOf } from "../audio/format.js";
import { defaultFeatureWorkers } from "../pipeline/featureWorkers.js";
import { RequestCancelledError, DynamicBatcher, type DynamicBatcherOptions } from "../pipeline/dynamicBatcher.js";
import type { FamilyLoadOptions } from "../family/types.js";
import { load } from "../registry/load.js";
import type { CodeSegment, Codes, TokenizerModel } from "../family/types.js";
import type { ServiceEncodeOptions } from "./encodeQuery.js";
import { NoDecoderError } from "./errors.js";
import { RequestFeaturePool } from "./featurePool.js";
import { optionedEngine, type ItemResult, type OptionedInput } from "./optionGroups.js";
import type { RawPcmSpec } from "./rawPcm.js";

export interface TokenizerServiceOptions extends DynamicBatcherOptions {
  /** Longest audio accepted per call, in seconds (default 600); decoding stops past it. */
  maxAudioSeconds?: number;
  /** Decoding/log-mel threads; 0 decodes on the calling thread (default: see defaultFeatureWorkers). */
  featureWorkers?: number;
  /**
   * Let recognised containers that only ffmpeg reads (MP4/M4A, WebM, AIFF...) go to ffmpeg
   * (default false: only WAV, FLAC, MP3, Ogg Vorbis/Opus are decoded, in-process).
   */
  allowFfmpeg?: boolean;
}

export interface TokenizeBytesOptions {
  /**
   * Abort to drop the work (client gone, deadline passed); the call rejects with the Error given to
   * abort(reason), or RequestCancelledError after a plain abort().
   */
  signal?: AbortSignal;
  /** The bytes are headerless little-endian mono samples, not an audio file (a model of several channels gets them in each). */
  pcm?: RawPcmSpec;
  /** Names the input in error messages (default "request body"). */
  source?: string;
  /** Move `bytes` to the worker instead of copying it; the caller must not use it afterwards. */
  transfer?: boolean;
  /** Rows, first layer, bit width (checked by encodeQuery for the HTTP route); default: the model's full encode. */
  encode?: ServiceEncodeOptions;
}

export interface TokenizeBytesResult {
  /** [codebooks, frames] row-major: for one-row families (S3), the tokens. */
  codes: Int32Array;
  /** Rows in `codes` (1 for S3). */
  codebooks: number;
  /** Code frames per row. */
  frames: number;
  /** Length of the audio, in seconds. */
  audioSeconds: number;
  /** Quantizer layer of row 0, where the family states it (SpeechTokenizer). */
  firstCodebook?: number;
  /** The utterance's normalisation scale, where the family has one (FunCodec); decoding takes it back. */
  scale?: number;
  /** Segments coded apart, each with its frames and scale, where the model codes so (Codes.segments). */
  segments?: readonly CodeSegment[];
}

export interface DetokenizeResult {
  /**
   * Samples at the model's rate, planar [channels, frames × hop] ([frames × hop] for mono; not
   * trimmed: codes do not say the original length).
   */
  audio: Float32Array;
  /** Length of `audio` in seconds. */
  audioSeconds: number;
}

/** Where dropped work was when its signal fired. */
export type DropStage = "decoding" | "queued" | "running";
export type DropListener = (stage: DropStage, reason: unknown) => void;

export const DEFAULT_MAX_AUDIO_SECONDS = 600;

/** Feature threads by default: see pipeline/featureWorkers.ts (the one place that decides). */
export { defaultFeatureWorkers };

/** The error an aborted call rejects with: the reason given to abort(), or RequestCancelledError for a plain abort(). */
function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  const plainAbort = reason instanceof DOMException && reason.name === "AbortError";
  return reason instanceof Error && !plainAbort ? reason : new RequestCancelledError();
}

export class TokenizerService {
  /** The model (any family; an S3Tokenizer is one). */
  readonly tokenizer: TokenizerModel;
  readonly batcher: DynamicBatcher<OptionedInput, ItemResult>;
  readonly maxAudioSeconds: number;
  private readonly allowFfmpeg: boolean;
  private readonly pool: RequestFeaturePool;
  private readonly ownsTokenizer: boolean;
  private readonly dropListeners: DropListener[] = [];
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  /** Wraps a loaded tokenizer of any family; close() leaves it open (the caller owns it). */
  constructor(tokenizer: TokenizerModel, options: TokenizerServiceOptions = {}, ownsTokenizer = false) {
    this.tokenizer = tokenizer;
    this.batcher = new DynamicBatcher(optionedEngine(tokenizer), options);
    this.maxAudioSeconds = options.maxAudioSeconds ?? DEFAULT_MAX_AUDIO_SECONDS;
    this.allowFfmpeg = options.allowFfmpeg ?? false;
    this.pool = new RequestFeaturePool(options.featureWorkers ?? defaultFeatureWorkers());
    this.ownsTokenizer = ownsTokenizer;
  }

  /** Loads the model of any family by name or path (load) and wraps it; close() disposes it. */
  static async load(model: string, options: FamilyLoadOptions & TokenizerServiceOptions = {}): Promise<TokenizerService> {
    const tokenizer = await load(model, options);
    return new TokenizerService(tokenizer, options, true);
  }

  /** Calls of tokenizeBytes in progress (decoding, queued or running). */
  get pending(): number {
    return this.active;
  }

  /** Called for every call whose work is dropped because its signal fired. */
  onDrop(listener: DropListener): void {
    this.dropListeners.push(listener);
  }

  /** Tokens of one audio file (or raw PCM) held in memory, batched with concurrent calls. */
  async tokenizeBytes(bytes: Uint8Array, options: TokenizeBytesOptions = {}): Promise<TokenizeBytesResult> {
    const { signal } = options;
    if (signal?.aborted) throw abortReason(signal);
    this.active++;
    try {
      const job = {
        bytes,
        source: options.source ?? "request body",
        frontEnd: this.tokenizer.frontEnd?.spec,
        format: audioFormatOf(this.tokenizer),
        maxSeconds: this.maxAudioSeconds,
        allowFfmpeg: this.allowFfmpeg,
        pcm: options.pcm,
      };
      const features = await this.pool.compute(job, options.transfer ?? false);
      if (signal?.aborted) {
        this.emitDrop("decoding", signal.reason);
        throw abortReason(signal);
      }
      const outcome = await this.submit({ input: features.input, options: options.encode ?? {} }, signal);
      if (!outcome.ok) throw outcome.error;
      const { codes } = outcome;
      const result: TokenizeBytesResult = { codes: codes.data, codebooks: codes.codebooks, frames: codes.frames, audioSeconds: features.seconds };
      if (codes.firstCodebook !== undefined) result.firstCodebook = codes.firstCodebook;
      if (codes.scale !== undefined) result.scale = codes.scale;
      if (codes.segments !== undefined) result.segments = codes.segments;
      return result;
    } finally {
      this.active--;
      this.notifyIdle();
    }
  }

  /**
   * Audio of one utterance's codes (with its firstCodebook and scale), for families with a
   * decoder; NoDecoderError otherwise. Not batched: decoding has no front end to share and runs
   * beside encoding; the signal drops the work between the model's batches and stops the wait at
   * once. The call counts as pending until the model is done with it, so idle() (shutdown) never
   * releases the model under a decode whose caller has gone.
   */
  async detokenize(codes: Codes, options: { signal?: AbortSignal } = {}): Promise<DetokenizeResult> {
    const { signal } = options;
    const model = this.tokenizer;
    if (!model.decode) throw new NoDecoderError(model.source, model.family);
    if (signal?.aborted) throw abortReason(signal);
    this.active++;
    const decoding = model.decode([codes], { signal }).then((audio) => audio[0]!);
    void decoding.then(
      () => this.settle(),
      () => this.settle(),
    );
    const audio = signal ? await this.untilAborted(decoding, signal) : await decoding;
    return { audio, audioSeconds: secondsOf(audio, model) };
  }

  /** One call in progress is over. */
  private settle(): void {
    this.active--;
    this.notifyIdle();
  }

  /**
   * One dummy utterance (1 s of a quiet tone at the model's rate, so nothing is resampled) through
   * decoding and the model: first-call costs paid.
   */
  async warmUp(): Promise<void> {
    const rate = this.tokenizer.sampleRate;
    const bytes = new Uint8Array(rate * 2);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < rate; i++) view.setInt16(2 * i, Math.round(3000 * Math.sin((2 * Math.PI * 220 * i) / rate)), true);
    await this.tokenizeBytes(bytes, { pcm: { sampleRate: rate, format: "pcm16" }, source: "warm-up", transfer: true });
  }

  /** Resolves when no call is in progress and the model is idle (for graceful shutdown). */
  async idle(): Promise<void> {
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.batcher.idle();
  }

  /** Stops the feature threads; disposes the tokenizer when load() made it. */
  async close(): Promise<void> {
    await this.pool.close();
    if (this.ownsTokenizer) await this.tokenizer.dispose();
  }

  /**
   * The batcher's answer, or the abort reason as soon as the signal fires. Whether the work was
   * still queued (the batcher removed it) or already running is known when the batcher settles.
   */
  private submit(input: OptionedInput, signal: AbortSignal | undefined): Promise<ItemResult> {
    const outcome = this.batcher.submit(input, signal);
    if (!signal) return outcome;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(abortReason(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      outcome.then(
        (result) => {
          signal.removeEventListener("abort", onAbort);
          if (signal.aborted) this.emitDrop("running", signal.reason);
          else resolve(result);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          if (signal.aborted && error instanceof RequestCancelledError) this.emitDrop("queued", signal.reason);
          reject(signal.aborted ? abortReason(signal) : error);
        },
      );
    });
  }

  /** `work`'s result, or the abort reason as soon as the signal fires (the work's result is then dropped). */
  private untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.emitDrop("running", signal.reason);
        reject(abortReason(signal));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      work.then(
        (value) => {
          signal.removeEventListener("abort", onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  }

  private emitDrop(stage: DropStage, reason: unknown): void {
    for (const listener of this.dropListeners) listener(stage, reason);
  }

  private notifyIdle(): void {
    if (this.active > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
