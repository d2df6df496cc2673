/**
 * A loaded EnCodec model: encode (audio → codes of every segment, a scale per segment where the
 * model normalises) and decode (codes → audio, segments overlap-added as upstream). Every segment
 * of every utterance is one row of a padded batch, and each row comes out as it would alone
 * (per-row padding and masks), so an utterance's codes never depend on what it is batched with.
 * Audio is planar [C, L] row-major: one Float32Array per utterance, channel after channel.
 */
import { InvalidInputError } from "../../errors.js";
import type { CodeSegment, Codes, DecodeOptions, EncodeOptions, FamilyLoadOptions, FamilyName, ModelFiles, TokenizerModel } from "../../family/types.js";
import { planBatches, type BatchPolicy } from "../../pipeline/batchPlan.js";
import type { OrtModule, OrtSession, RuntimeBackend } from "../../runtime/backend.js";
import type { RuntimeOptions } from "../../runtime/options.js";
import { checkCodeGrid, checkRowRequest } from "../common/codeChecks.js";
import { rowsForBandwidth } from "./bandwidth.js";
import { frameRate, hopLength, segmentStride, type EncodecConfig } from "./config.js";
import { buildDecodeGraph, buildEncodeGraph } from "./graph.js";
import { divideByScale, linearOverlapAdd, multiplyByScale, planSegments, segmentScale, sliceSegment } from "./segments.js";
import type { EncodecWeights } from "./weights.js";

/** One segment's share of an utterance's codes: its frames, and its scale when the model normalises. */
export type EncodecSegment = CodeSegment;

/**
 * Codes of one utterance: data [codebooks, frames] row-major, the frames of all its segments one
 * after another (segment j's frames follow segment j − 1's in every row), and the segments.
 */
export interface EncodecCodes extends Codes {
  segments: readonly EncodecSegment[];
}

export interface EncodecEncodeOptions extends EncodeOptions {
  /** Target bandwidth in kbps (one the model lists); exclusive with `codebooks`. Default: every layer. */
  bandwidth?: number;
}

export interface EncodecLoadOptions extends RuntimeOptions {
  /** Most padded samples of one batch (rows × longest segment). Default 96000. */
  maxBatchSamples?: number;
}

/**
 * Two 1 s segments at 48 kHz. Ten at a time (480000) decoded no faster on 2 threads, yet held
 * 1377 MB at peak against 489 MB (22.8 s of stereo audio): every activation of the 48 kHz
 * decoder's last stages is rows × 32 channels × 48000 samples. At 24 kHz an utterance above 4 s
 * now runs alone, also measured no slower.
 */
const DEFAULT_BATCH_SAMPLES = 96_000;

interface Row {
  audio: Float32Array;
  samples: number;
}

/**
 * Codes as decode takes them: an EncodecCodes, or plain Codes of a model without segments (read as
 * one segment; a segmented model needs each segment's frames and scale).
 */
export type EncodecDecodeInput = Codes;

/** An EnCodec model: audio (planar [channels, samples] at the model's rate) to codes and back. */
export class EncodecModel implements TokenizerModel {
  readonly family: FamilyName = "encodec";
  files: ModelFiles = {};
  readonly sampleRate: number;
  /** Audio channels of the input and the decoded output (planar). */
  readonly channels: number;
  readonly frameRate: number;
  readonly codebooks: number;
  readonly codebookSize: number;
  readonly hopLength: number;
  readonly parallelism = 1;
  /** A mono model mixes a file's channels to their mean, as upstream's convert_audio. */
  readonly mixToMono = "mean" as const;
  readonly batching: BatchPolicy;
  private encodeSession?: OrtSession;
  private decodeSession?: OrtSession;
  private readonly maxBatchSamples: number;

  private constructor(
    readonly source: string,
    readonly config: EncodecConfig,
    encodeSession: OrtSession,
    decodeSession: OrtSession,
    options: EncodecLoadOptions & FamilyLoadOptions,
    private readonly ort: OrtModule,
  ) {
    this.encodeSession = encodeSession;
    this.decodeSession = decodeSession;
    this.sampleRate = config.sampleRate;
    this.channels = config.audioChannels;
    this.hopLength = hopLength(config);
    this.frameRate = frameRate(config);
    this.codebooks = config.nQ;
    this.codebookSize = config.bins;
    this.maxBatchSamples = options.maxBatchSamples ?? options.maxBatchFrames ?? DEFAULT_BATCH_SAMPLES;
    this.batching = { unit: "samples", unitName: "samples", maxBatchUnits: this.maxBatchSamples, maxBatchSize: Infinity };
  }

  /** Builds both graphs from checked weights and opens their sessions on `backend`. */
  static async create(source: string, weights: EncodecWeights, options: EncodecLoadOptions & FamilyLoadOptions, backend: RuntimeBackend): Promise<EncodecModel> {
    const encode = await backend.openGraph(buildEncodeGraph(weights), options, `${source} (encoder)`);
    try {
      const decode = await backend.openGraph(buildDecodeGraph(weights), options, `${source} (decoder)`);
      return new EncodecModel(source, weights.config, encode, decode, options, backend.ort);
    } catch (error) {
      await encode.release();
      throw error;
    }
  }

  /** Rows an encode returns: a bandwidth's, a count, or every layer. */
  rowsFor(options: EncodecEncodeOptions = {}): number {
    if ((options.firstCodebook ?? 0) !== 0) throw new InvalidInputError(`firstCodebook: EnCodec codes always start at layer 0, got ${options.firstCodebook}`);
    if (options.codebooks !== undefined && options.bandwidth !== undefined) throw new InvalidInputError("codebooks and bandwidth: give one of them, not both");
    if (options.codebooks === undefined) return rowsForBandwidth(this.config, options.bandwidth, this.source);
    return checkRowRequest(options.codebooks, this.codebooks);
  }

  /** Codes of each utterance (planar [C, L] samples at the model's rate). */
  async encode(inputs: readonly Float32Array[], options: EncodecEncodeOptions = {}): Promise<EncodecCodes[]> {
    const rows = this.rowsFor(options);
    inputs.forEach((input, i) => this.checkInput(input, i));
    // Every segment of every utterance becomes a row; scales are taken before the graph.
    const owners: { utterance: number; scale?: number }[] = [];
    const rowsIn: Row[] = [];
    inputs.forEach((input, u) => {
      for (const span of planSegments(input.length / this.channels, this.config)) {
        const segment = sliceSegment(input, this.channels, span); // [C, n]
        const scale = this.config.normalize ? segmentScale(segment, this.channels) : undefined;
        rowsIn.push({ audio: scale === undefined ? segment : divideByScale(segment, scale), samples: span.length });
        owners.push(scale === undefined ? { utterance: u } : { utterance: u, scale });
      }
    });
    const encoded = await this.runBatches(rowsIn, (batch) => this.runEncode(batch), options.signal);
    return inputs.map((_, u) => {
      const mine = encoded.map((codes, r) => ({ codes, owner: owners[r]! })).filter((e) => e.owner.utterance === u);
      const frames = mine.reduce((n, e) => n + e.codes.frames, 0);
      const data = new Int32Array(rows * frames); // [rows, ΣT_j]
      let start = 0;
      for (const { codes } of mine) {
        for (let r = 0; r < rows; r++) data.set(codes.data.subarray(r * codes.frames, (r + 1) * codes.frames), r * frames + start);
        start += codes.frames;
      }
      const segments = mine.map((e) => (e.owner.scale === undefined ? { frames: e.codes.frames } : { frames: e.codes.frames, scale: e.owner.scale }));
      return { data, codebooks: rows, frames, segments };
    });
  }

  /**
   * Audio (planar [C, S]) of each utterance's codes: every segment decoded (times its scale), then
   * overlap-added (segmented models) or taken as it is. Not trimmed: S = hop · frames for one
   * segment, as upstream's decode.
   */
  async decode(input: readonly EncodecDecodeInput[], options: DecodeOptions = {}): Promise<Float32Array[]> {
    const codes = input.map((c, i) => this.withSegments(c, i));
    codes.forEach((c, i) => this.checkCodes(c, i));
    const pieces: { utterance: number; codes: Codes; scale?: number }[] = [];
    codes.forEach((c, u) => {
      let start = 0;
      for (const segment of c.segments) {
        const data = new Int32Array(c.codebooks * segment.frames); // [n, T_j]
        for (let r = 0; r < c.codebooks; r++) data.set(c.data.subarray(r * c.frames + start, r * c.frames + start + segment.frames), r * segment.frames);
        pieces.push({ utterance: u, codes: { data, codebooks: c.codebooks, frames: segment.frames }, ...(segment.scale === undefined ? {} : { scale: segment.scale }) });
        start += segment.frames;
      }
    });
    const decoded: Float32Array[] = new Array(pieces.length);
    // A batch's codes share one row count (the graph takes [B, n, T]).
    const byRows = new Map<number, number[]>();
    pieces.forEach((p, i) => byRows.set(p.codes.codebooks, [...(byRows.get(p.codes.codebooks) ?? []), i]));
    for (const group of byRows.values()) {
      const audio = await this.runBatches(group.map((i) => ({ codes: pieces[i]!.codes, samples: pieces[i]!.codes.frames * this.hopLength })), (batch) => this.runDecode(batch), options.signal);
      group.forEach((i, k) => { decoded[i] = pieces[i]!.scale === undefined ? audio[k]! : multiplyByScale(audio[k]!, pieces[i]!.scale!); });
    }
    const stride = segmentStride(this.config);
    return codes.map((_, u) => {
      const frames = decoded.filter((_, i) => pieces[i]!.utterance === u);
      return stride === null ? frames[0]! : linearOverlapAdd(frames, this.channels, stride);
    });
  }

  async dispose(): Promise<void> {
    const sessions = [this.encodeSession, this.decodeSession];
    this.encodeSession = undefined;
    this.decodeSession = undefined;
    await Promise.all(sessions.map((s) => s?.release()));
  }

  /** Runs items in length-sorted padded batches of at most maxBatchSamples; results in the items' order. */
  private async runBatches<T extends { samples: number }, R>(items: readonly T[], run: (batch: T[]) => Promise<R[]>, signal?: AbortSignal): Promise<R[]> {
    const results: R[] = new Array(items.length);
    for (const batch of planBatches(items.map((r) => r.samples), { maxBatchFrames: this.maxBatchSamples, maxBatchSize: Infinity })) {
      signal?.throwIfAborted();
      const out = await run(batch.map((i) => items[i]!));
      batch.forEach((i, b) => { results[i] = out[b]!; });
    }
    return results;
  }

  private session(which: "encode" | "decode"): OrtSession {
    const session = which === "encode" ? this.encodeSession : this.decodeSession;
    if (!session) throw new InvalidInputError(`${this.source}: this EnCodec model has been disposed`);
    return session;
  }

  private checkInput(input: Float32Array, index: number): void {
    const where = `inputs[${index}]`;
    if (!(input instanceof Float32Array)) throw new InvalidInputError(`${where}: expected a Float32Array of ${this.channels}-channel planar samples at ${this.sampleRate} Hz`);
    if (input.length === 0) throw new InvalidInputError(`${where}: no samples`);
    if (input.length % this.channels !== 0) throw new InvalidInputError(`${where}: ${input.length} values are not ${this.channels} planar channels of equal length`);
  }

  /** The codes with their segments: as given, or the whole as one segment for a model without segments. */
  private withSegments(codes: EncodecDecodeInput, index: number): EncodecCodes {
    if (codes.segments !== undefined) return codes as EncodecCodes;
    if (segmentStride(this.config) !== null || this.config.normalize) {
      throw new InvalidInputError(`codes[${index}]: no segments; ${this.config.name} codes audio in segments, each with its frames and scale`);
    }
    return { ...codes, segments: [{ frames: codes.frames }] };
  }

  private checkCodes(codes: EncodecCodes, index: number): void {
    const where = `codes[${index}]`;
    checkCodeGrid(codes, this.codebooks, this.codebookSize, where);
    if (!Array.isArray(codes.segments) || codes.segments.length === 0) throw new InvalidInputError(`${where}: no segments`);
    if (segmentStride(this.config) === null && codes.segments.length !== 1) throw new InvalidInputError(`${where}: ${codes.segments.length} segments; this model codes an utterance as one`);
    let total = 0;
    codes.segments.forEach((s, j) => {
      if (!Number.isInteger(s.frames) || s.frames < 1) throw new InvalidInputError(`${where}: segment ${j} has ${s.frames} frames, expected at least 1`);
      if (this.config.normalize !== (s.scale !== undefined)) throw new InvalidInputError(`${where}: segment ${j} ${this.config.normalize ? "lacks the scale this model needs" : "has a scale this model does not use"}`);
      if (s.scale !== undefined && !Number.isFinite(s.scale)) throw new InvalidInputError(`${where}: segment ${j} has scale ${s.scale}`);
      // Overlap-add weighs by the first segment's length and must cover every sample: no later segment longer, none but the last shorter than the stride.
      if (j > 0 && s.frames > codes.segments[0]!.frames) throw new InvalidInputError(`${where}: segment ${j} (${s.frames} frames) is longer than the first (${codes.segments[0]!.frames})`);
      const stride = segmentStride(this.config);
      if (stride !== null && j < codes.segments.length - 1 && s.frames * this.hopLength < stride) {
        throw new InvalidInputError(`${where}: segment ${j} decodes to ${s.frames * this.hopLength} samples, fewer than the ${stride} before the next one starts`);
      }
      total += s.frames;
    });
    if (total !== codes.frames) throw new InvalidInputError(`${where}: its segments hold ${total} frames, the codes ${codes.frames}`);
  }

  private async runEncode(rows: readonly Row[]): Promise<Codes[]> {
    const longest = Math.max(...rows.map((r) => r.samples));
    const c = this.channels;
    const audio = new Float32Array(rows.length * c * longest); // [B, C, L], zeros past each row (never read)
    rows.forEach((r, b) => { for (let ch = 0; ch < c; ch++) audio.set(r.audio.subarray(ch * r.samples, (ch + 1) * r.samples), (b * c + ch) * longest); });
    const out = await this.session("encode").run({
      audio: new this.ort.Tensor("float32", audio, [rows.length, c, longest]),
      lengths: new this.ort.Tensor("int64", BigInt64Array.from(rows, (r) => BigInt(r.samples)), [rows.length]),
    });
    const codes = out.codes!.data as BigInt64Array; // [B, Q, T]
    const frames = out.frames!.data as BigInt64Array; // [B]
    const [, q, t] = out.codes!.dims as number[];
    return rows.map((_, b) => {
      const n = Number(frames[b]);
      const data = new Int32Array(q! * n); // [Q, n]
      for (let r = 0; r < q!; r++) for (let f = 0; f < n; f++) data[r * n + f] = Number(codes[(b * q! + r) * t! + f]);
      return { data, codebooks: q!, frames: n };
    });
  }

  private async runDecode(items: readonly { codes: Codes }[]): Promise<Float32Array[]> {
    const rows = items[0]!.codes.codebooks;
    const longest = Math.max(...items.map((i) => i.codes.frames));
    const input = new BigInt64Array(items.length * rows * longest); // [B, n, T], code 0 past each row (never read)
    items.forEach(({ codes }, b) => {
      for (let r = 0; r < rows; r++) for (let f = 0; f < codes.frames; f++) input[(b * rows + r) * longest + f] = BigInt(codes.data[r * codes.frames + f]!);
    });
    const out = await this.session("decode").run({
      codes: new this.ort.Tensor("int64", input, [items.length, rows, longest]),
      frames: new this.ort.Tensor("int64", BigInt64Array.from(items, (i) => BigInt(i.codes.frames)), [items.length]),
    });
    const audio = out.audio!.data as Float32Array; // [B, C, S]
    const width = out.audio!.dims[2]!;
    const c = this.channels;
    return items.map(({ codes }, b) => {
      const n = codes.frames * this.hopLength;
      const one = new Float32Array(c * n); // [C, n]
      for (let ch = 0; ch < c; ch++) one.set(audio.subarray((b * c + ch) * width, (b * c + ch) * width + n), ch * n);
      return one;
    });
  }
}
