/**
 * A loaded FunCodec encodec model: encode (bit width or rows, per-utterance scale beside the
 * codes), decode (with or without the scale, or from codes alone), and the reconstruction and
 * encoder output upstream's inference returns. Utterances are batched padded, by length, and
 * every row comes out as it would alone (per-row padding, GroupNorm over real frames, LSTM
 * sequence lengths).
 */
import { InvalidInputError } from "../../errors.js";
import type { OrtModule, OrtSession, RuntimeBackend } from "../../runtime/backend.js";
import type { RuntimeOptions } from "../../runtime/options.js";
import type { Codes, DecodeOptions, EncodeOptions, FamilyLoadOptions, ModelFiles, TokenizerModel } from "../../family/types.js";
import { planBatches, policyLimits, type BatchPolicy } from "../../pipeline/batchPlan.js";
import { rowsForBitWidth } from "./bitWidth.js";
import { hopLength, type FunCodecConfig } from "./config.js";
import { FunCodecAudioTooLongError } from "./errors.js";
import { buildDecodeGraph, buildEncodeGraph } from "./graph.js";
import { applyScale, normalise, rmsScale } from "./scale.js";
import type { FunCodecWeights } from "./weights.js";

export interface FunCodecEncodeOptions extends EncodeOptions {
  /**
   * Bits per second (upstream's bit_width): rows = max(1, floor(bitWidth / bits per row)), at
   * most the model's. Exclusive with `codebooks`. Default: every row.
   */
  bitWidth?: number;
}

export interface FunCodecDecodeOptions extends DecodeOptions {
  /**
   * Multiply by each utterance's `scale` when its codes carry one (default true, upstream's
   * CLI default use_scale). false: the normalised level, as upstream's use_scale=False.
   */
  useScale?: boolean;
}

export interface FunCodecLoadOptions extends RuntimeOptions {
  /**
   * Most padded samples of one encode batch (batch size × longest input). Default: the
   * family-wide maxBatchFrames (FunCodec's batch unit is the sample), else 480000 (30 s).
   * Decode batches hold as many samples' worth of frames.
   */
  maxBatchSamples?: number;
  /** Most padded samples of one encode batch, under the name every family's loader takes (FamilyLoadOptions). */
  maxBatchFrames?: number;
  /** Most utterances of one batch (default: no limit but the samples). */
  maxBatchSize?: number;
  /** Longest utterance accepted, in seconds (default FUNCODEC_MAX_SECONDS). */
  maxSeconds?: number;
}

/**
 * The longest utterance accepted by default, in seconds. GroupNorm takes its statistics over the
 * whole utterance, so codes depend on all of it and it cannot be cut into windows. Measured at the
 * released size (n_filters 32, random weights, 2 threads, one process encoding then decoding): a
 * 90 s utterance peaks at 1.9 GB RSS encoding and 2.5 GB once decoded (60 s: 1.4 and 2.1 GB), so
 * past 90 s the 3 GB bound would not hold; longer audio is refused, never encoded differently.
 */
export const FUNCODEC_MAX_SECONDS = 90;

const DEFAULT_BATCH_SAMPLES = 480_000;

/** One utterance through the encode graph: every row's codes, the latent and the scale. */
export interface EncodedUtterance {
  /** [Q, T] row-major, all the model's rows. */
  codes: Int32Array;
  frames: number;
  /** Encoder output [T, D] row-major. */
  latent: Float32Array;
  scale?: number;
}

export class FunCodecModel implements TokenizerModel {
  readonly family = "funcodec" as const;
  /** The files it was loaded from (set by the family's loader; empty for a model built in memory). */
  files: ModelFiles = {};
  readonly sampleRate: number;
  /** Mono: a file of several channels gives channel 0, as upstream's load_audio. */
  readonly channels = 1;
  readonly frameRate: number;
  readonly codebooks: number;
  readonly codebookSize: number;
  readonly hopLength: number;
  readonly parallelism = 1;
  private encodeSession?: OrtSession;
  /** The decoder's session: opened at load, or on the first decode (FamilyLoadOptions.decoderAtLoad). */
  private decodeSession?: Promise<OrtSession>;
  /** What the decoder is built from, until it is (then dropped, with its hold on the weights). */
  private decoderSource?: { weights: FunCodecWeights; options: FunCodecLoadOptions; backend: RuntimeBackend };
  private disposed = false;
  /** Padded input samples per encode pass; a decode pass holds as many samples' worth of code frames. */
  readonly batching: BatchPolicy;
  private readonly maxSamples: number;

  private constructor(
    readonly source: string,
    readonly config: FunCodecConfig,
    encodeSession: OrtSession,
    decoderSource: { weights: FunCodecWeights; options: FunCodecLoadOptions; backend: RuntimeBackend },
    options: FunCodecLoadOptions,
    /** The runtime package whose Tensor the sessions accept. */
    private readonly ort: OrtModule,
  ) {
    this.encodeSession = encodeSession;
    this.decoderSource = decoderSource;
    this.sampleRate = config.sampleRate;
    this.hopLength = hopLength(config);
    this.frameRate = config.sampleRate / this.hopLength;
    this.codebooks = config.numQuantizers;
    this.codebookSize = config.codebookSize;
    this.batching = {
      unit: "samples",
      unitName: "samples",
      maxBatchUnits: options.maxBatchSamples ?? options.maxBatchFrames ?? DEFAULT_BATCH_SAMPLES,
      maxBatchSize: options.maxBatchSize ?? Infinity,
    };
    this.maxSamples = Math.floor((options.maxSeconds ?? FUNCODEC_MAX_SECONDS) * config.sampleRate);
  }

  /**
   * Builds the graphs from checked weights and opens their sessions on `backend`: the encoder's,
   * and the decoder's unless `decoderAtLoad` is false (then on the first decode).
   */
  static async create(
    source: string,
    config: FunCodecConfig,
    weights: FunCodecWeights,
    options: FunCodecLoadOptions & Pick<FamilyLoadOptions, "decoderAtLoad">,
    backend: RuntimeBackend,
  ): Promise<FunCodecModel> {
    const encode = await backend.openGraph(buildEncodeGraph(config, weights), options, `${source} (encoder)`);
    const model = new FunCodecModel(source, config, encode, { weights, options, backend }, options, backend.ort);
    if (options.decoderAtLoad !== false) {
      try {
        await model.decoder();
      } catch (error) {
        await model.dispose();
        throw error;
      }
    }
    return model;
  }

  /** Rows an encode returns for these options (bit width or rows; every row by default). */
  rowsFor(options: FunCodecEncodeOptions = {}): number {
    if ((options.firstCodebook ?? 0) !== 0) {
      throw new InvalidInputError(`firstCodebook: FunCodec codes always start at layer 0, got ${options.firstCodebook}`);
    }
    if (options.codebooks !== undefined && options.bitWidth !== undefined) {
      throw new InvalidInputError("codebooks and bitWidth: give one of them, not both");
    }
    if (options.codebooks === undefined) return rowsForBitWidth(this.config, options.bitWidth);
    if (!Number.isInteger(options.codebooks) || options.codebooks < 1 || options.codebooks > this.codebooks) {
      throw new InvalidInputError(`codebooks: expected an integer from 1 to ${this.codebooks}, got ${options.codebooks}`);
    }
    return options.codebooks;
  }

  async encode(inputs: readonly Float32Array[], options: FunCodecEncodeOptions = {}): Promise<Codes[]> {
    const rows = this.rowsFor(options);
    const encoded = await this.encodeAll(inputs, options.signal);
    return encoded.map((u) => {
      const codes: Codes = { data: u.codes.slice(0, rows * u.frames), codebooks: rows, frames: u.frames };
      if (u.scale !== undefined) codes.scale = u.scale;
      return codes;
    });
  }

  /** Every row's codes, the encoder output and the scale of each utterance. */
  async encodeAll(inputs: readonly Float32Array[], signal?: AbortSignal): Promise<EncodedUtterance[]> {
    inputs.forEach((input, i) => this.checkInput(input, i));
    const results: EncodedUtterance[] = new Array(inputs.length);
    for (const batch of planBatches(inputs.map((x) => x.length), policyLimits(this.batching))) {
      signal?.throwIfAborted();
      const scales = batch.map((i) => (this.config.audioNormalize ? rmsScale(inputs[i]!) : undefined));
      const rowsIn = batch.map((i, b) => (scales[b] === undefined ? inputs[i]! : normalise(inputs[i]!, scales[b]!)));
      const out = await this.runEncode(rowsIn);
      batch.forEach((i, b) => { results[i] = { ...out[b]!, ...(scales[b] === undefined ? {} : { scale: scales[b] }) }; });
    }
    return results;
  }

  async decode(codes: readonly Codes[], options: FunCodecDecodeOptions = {}): Promise<Float32Array[]> {
    codes.forEach((c, i) => this.checkCodes(c, i));
    const results: Float32Array[] = new Array(codes.length);
    // A batch's codes share one row count (the graph takes [B, n, T]); group by it.
    const byRows = new Map<number, number[]>();
    codes.forEach((c, i) => byRows.set(c.codebooks, [...(byRows.get(c.codebooks) ?? []), i]));
    for (const group of byRows.values()) {
      const frameBudget = Math.max(1, Math.floor(this.batching.maxBatchUnits / this.hopLength));
      const limits = { ...policyLimits(this.batching), maxBatchFrames: frameBudget };
      for (const batch of planBatches(group.map((i) => codes[i]!.frames), limits)) {
        options.signal?.throwIfAborted();
        const members = batch.map((j) => group[j]!);
        const audio = await this.runDecode(members.map((i) => codes[i]!));
        members.forEach((i, b) => {
          const scale = codes[i]!.scale;
          results[i] = options.useScale !== false && scale !== undefined ? applyScale(audio[b]!, scale) : audio[b]!;
        });
      }
    }
    return results;
  }

  /**
   * Upstream's run_mod "inference": encode then decode, trimmed to each input's length; scaled
   * back (use_scale=True, default) or at the normalised level (useScale false).
   */
  async reconstruct(inputs: readonly Float32Array[], options: FunCodecEncodeOptions & FunCodecDecodeOptions = {}): Promise<Float32Array[]> {
    const codes = await this.encode(inputs, options);
    const audio = await this.decode(codes, options);
    return audio.map((a, i) => a.subarray(0, inputs[i]!.length));
  }

  async dispose(): Promise<void> {
    const encode = this.encodeSession;
    const decode = this.decodeSession;
    this.disposed = true;
    this.encodeSession = undefined;
    this.decodeSession = undefined;
    this.decoderSource = undefined;
    // A decoder still opening is released once open; one that failed to open has nothing to release.
    await Promise.all([encode?.release(), decode?.then((s) => s.release(), () => undefined)]);
  }

  private checkInput(input: Float32Array, index: number): void {
    if (!(input instanceof Float32Array)) throw new InvalidInputError(`inputs[${index}]: expected a Float32Array of 16 kHz samples`);
    if (input.length === 0) throw new InvalidInputError(`inputs[${index}]: no samples`);
    if (input.length > this.maxSamples) throw new FunCodecAudioTooLongError(`inputs[${index}]`, input.length, this.maxSamples, this.sampleRate);
  }

  private checkCodes(codes: Codes, index: number): void {
    const where = `codes[${index}]`;
    if ((codes.firstCodebook ?? 0) !== 0) throw new InvalidInputError(`${where}: FunCodec codes start at layer 0, got firstCodebook ${codes.firstCodebook}`);
    if (!Number.isInteger(codes.codebooks) || codes.codebooks < 1 || codes.codebooks > this.codebooks) {
      throw new InvalidInputError(`${where}: ${codes.codebooks} rows, expected 1 to ${this.codebooks}`);
    }
    if (!Number.isInteger(codes.frames) || codes.frames < 1) throw new InvalidInputError(`${where}: ${codes.frames} frames, expected at least 1`);
    if (codes.data.length !== codes.codebooks * codes.frames) {
      throw new InvalidInputError(`${where}: ${codes.data.length} values for ${codes.codebooks} × ${codes.frames}`);
    }
    const bad = codes.data.findIndex((v) => v < 0 || v >= this.codebookSize);
    if (bad >= 0) throw new InvalidInputError(`${where}: code ${codes.data[bad]} at ${bad} is outside [0, ${this.codebookSize})`);
    if (codes.frames * this.hopLength > this.maxSamples) {
      throw new FunCodecAudioTooLongError(where, codes.frames * this.hopLength, this.maxSamples, this.sampleRate);
    }
  }

  private encoder(): OrtSession {
    if (!this.encodeSession) throw this.disposedError();
    return this.encodeSession;
  }

  /** The decoder's session, built and opened on first use; a failed open is tried again next time. */
  private decoder(): Promise<OrtSession> {
    if (this.disposed) return Promise.reject(this.disposedError());
    if (this.decodeSession) return this.decodeSession;
    const { weights, options, backend } = this.decoderSource!;
    this.decodeSession = backend.openGraph(buildDecodeGraph(this.config, weights), options, `${this.source} (decoder)`).then(
      (session) => {
        this.decoderSource = undefined;
        return session;
      },
      (error: unknown) => {
        this.decodeSession = undefined;
        throw error;
      },
    );
    return this.decodeSession;
  }

  private disposedError(): InvalidInputError {
    return new InvalidInputError(`${this.source}: this FunCodec model has been disposed`);
  }

  private async runEncode(rows: readonly Float32Array[]): Promise<Omit<EncodedUtterance, "scale">[]> {
    const longest = Math.max(...rows.map((r) => r.length));
    const audio = new Float32Array(rows.length * longest); // [B, L], zeros past each row (never read)
    rows.forEach((r, b) => audio.set(r, b * longest));
    const lengths = BigInt64Array.from(rows, (r) => BigInt(r.length));
    const out = await this.encoder().run({
      audio: new this.ort.Tensor("float32", audio, [rows.length, longest]),
      lengths: new this.ort.Tensor("int64", lengths, [rows.length]),
    });
    const codes = out.codes!.data as BigInt64Array; // [B, Q, T]
    const latent = out.latent!.data as Float32Array; // [B, T, D]
    const frames = out.frames!.data as BigInt64Array; // [B]
    const [, q, t] = out.codes!.dims as number[];
    const d = this.config.encoder.dimension;
    return rows.map((_, b) => {
      const n = Number(frames[b]);
      const rowCodes = new Int32Array(q! * n);
      for (let r = 0; r < q!; r++) {
        for (let f = 0; f < n; f++) rowCodes[r * n + f] = Number(codes[(b * q! + r) * t! + f]);
      }
      return { codes: rowCodes, frames: n, latent: latent.slice(b * t! * d, (b * t! + n) * d) };
    });
  }

  private async runDecode(codes: readonly Codes[]): Promise<Float32Array[]> {
    const rows = codes[0]!.codebooks;
    const longest = Math.max(...codes.map((c) => c.frames));
    const input = new BigInt64Array(codes.length * rows * longest); // [B, n, T], code 0 past each row (never read)
    codes.forEach((c, b) => {
      for (let r = 0; r < rows; r++) {
        for (let f = 0; f < c.frames; f++) input[(b * rows + r) * longest + f] = BigInt(c.data[r * c.frames + f]!);
      }
    });
    const out = await (await this.decoder()).run({
      codes: new this.ort.Tensor("int64", input, [codes.length, rows, longest]),
      frames: new this.ort.Tensor("int64", BigInt64Array.from(codes, (c) => BigInt(c.frames)), [codes.length]),
    });
    const audio = out.audio!.data as Float32Array; // [B, hop · T]
    const width = out.audio!.dims[1]!;
    return codes.map((c, b) => audio.slice(b * width, b * width + c.frames * this.hopLength));
  }
}
