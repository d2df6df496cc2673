/**
 * A loaded SpeechTokenizer: onnxruntime sessions over the graphs of graph.ts, batching by length
 * under a frame budget. Codes equal each utterance encoded alone; decode returns hop · frames
 * samples per utterance, as upstream (no trimming to the input length).
 */
import { availableParallelism } from "node:os";
import { InvalidInputError } from "../../errors.js";
import type { Codes, DecodeOptions, EncodeOptions, FamilyLoadOptions, SpeechTokenizerModel } from "../../family/types.js";
import { encodeModel } from "../../onnx/write.js";
import { planBatches } from "../../pipeline/batchPlan.js";
import { RequestCancelledError } from "../../pipeline/dynamicBatcher.js";
import { openSession, ort, type RuntimeOptions } from "../../runtime/session.js";
import { hopLength } from "./config.js";
import { receptiveContext, planChunks } from "../common/chunkPlan.js";
import { buildDecodeGraph, buildEncoderBackGraph, buildEncoderFrontGraph, buildQuantizeGraph, splitEncoder } from "./graph.js";
import { encoderSteps, residualConvs } from "./layout.js";
import type { SpeechTokenizerWeights } from "./weights.js";

/** Most code frames (50 per second) in one padded batch: 60 s of audio. */
const BATCH_FRAMES = 3000;
/** Code frames per encoder chunk for long audio: 30 s. Longer utterances run their convolutions in chunks. */
const CHUNK_FRAMES = 1500;
/**
 * Most code frames per utterance: 20 minutes. The LSTM, the last conv and the RVQ run over the
 * whole utterance at 50 Hz (memory grows with it, about 0.2 GB per minute at the released size).
 */
export const MAX_FRAMES = 60_000;

type Session = ort.InferenceSession;

const int64 = (values: readonly number[], dims: number[]): ort.Tensor =>
  new ort.Tensor("int64", BigInt64Array.from(values, (v) => BigInt(v)), dims);

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RequestCancelledError();
}

export class SpeechTokenizerOnnxModel implements SpeechTokenizerModel {
  readonly family = "speechtokenizer" as const;
  readonly sampleRate = 16000;
  readonly frameRate: number;
  readonly codebooks: number;
  readonly codebookSize: number;
  readonly hopLength: number;
  readonly parallelism = 1;
  private readonly runtime: RuntimeOptions;
  /** Sessions by graph ("front", "back", "decode", "quantize:first:count"), opened on first use. */
  private readonly sessions = new Map<string, Promise<Session>>();
  /** Input samples read around an encoder chunk (the front convolutions' receptive field). */
  private readonly frontContext: { left: number; right: number };

  constructor(
    private readonly weights: SpeechTokenizerWeights,
    readonly source: string,
    options: FamilyLoadOptions = {},
    /** Code frames per encoder chunk on long audio (default 30 s); small values are for tests. */
    private readonly chunkFrames = CHUNK_FRAMES,
  ) {
    this.hopLength = hopLength(weights.config);
    this.frameRate = this.sampleRate / this.hopLength;
    this.codebooks = weights.config.nQ;
    this.codebookSize = weights.config.codebookSize;
    this.runtime = { ...options, intraOpThreads: options.intraOpThreads ?? availableParallelism() };
    const { front } = splitEncoder(encoderSteps(weights.config));
    this.frontContext = receptiveContext(front.flatMap((step) => (step.kind === "residual" ? Object.values(residualConvs(step)) : [step])).flatMap((step) =>
      step.kind === "conv" ? [{ kernel: step.kernel, stride: step.stride, dilation: step.dilation }] : []));
  }

  /** Opens the encoder's sessions now (load errors surface at load time, not at first use). */
  async open(): Promise<this> {
    await Promise.all([this.session("front"), this.session("back")]);
    return this;
  }

  private session(key: string): Promise<Session> {
    let session = this.sessions.get(key);
    if (session === undefined) {
      const [kind, first, count] = key.split(":");
      const graph = kind === "front" ? buildEncoderFrontGraph(this.weights)
        : kind === "back" ? buildEncoderBackGraph(this.weights)
        : kind === "decode" ? buildDecodeGraph(this.weights)
        : buildQuantizeGraph(this.weights, Number(first), Number(count));
      session = openSession(encodeModel(graph), this.runtime, `${this.source} (${key})`);
      this.sessions.set(key, session);
    }
    return session;
  }

  /** Code frames of `samples` samples: ceil(samples / hop), as the strided convs give. */
  framesOf(samples: number): number {
    return Math.ceil(samples / this.hopLength);
  }

  async encode(inputs: readonly Float32Array[], options: EncodeOptions = {}): Promise<Codes[]> {
    const first = options.firstCodebook ?? 0;
    if (!Number.isInteger(first) || first < 0 || first >= this.codebooks) {
      throw new InvalidInputError(`${this.source}: firstCodebook must be an integer in [0, ${this.codebooks}), got ${first}`);
    }
    const count = options.codebooks ?? this.codebooks - first;
    if (!Number.isInteger(count) || count < 1 || first + count > this.codebooks) {
      throw new InvalidInputError(`${this.source}: codebooks must be an integer in [1, ${this.codebooks - first}] from firstCodebook ${first}, got ${count}`);
    }
    inputs.forEach((input, i) => {
      if (!(input instanceof Float32Array) || input.length === 0) throw new InvalidInputError(`${this.source}: inputs[${i}] must be a non-empty Float32Array of 16 kHz samples`);
    });
    const frames = inputs.map((input) => this.framesOf(input.length));
    frames.forEach((f, i) => {
      if (f > MAX_FRAMES) {
        throw new InvalidInputError(`${this.source}: inputs[${i}] is ${(inputs[i]!.length / this.sampleRate).toFixed(1)} s long; at most ${MAX_FRAMES / this.frameRate} s per utterance can be encoded (the LSTM runs over the whole utterance)`);
      }
    });
    const results: Codes[] = new Array(inputs.length);
    // Long utterances run alone, their convolutions in chunks; the others in padded batches.
    const short = frames.flatMap((f, i) => (f <= this.chunkFrames ? [i] : []));
    const batches = planBatches(short.map((i) => frames[i]!), { maxBatchFrames: BATCH_FRAMES, maxBatchSize: Infinity }).map((batch) => batch.map((j) => short[j]!));
    for (const batch of [...batches, ...frames.flatMap((f, i) => (f > this.chunkFrames ? [[i]] : []))]) {
      checkSignal(options.signal);
      const members = batch.map((i) => inputs[i]!);
      const features = batch.length === 1 && frames[batch[0]!]! > this.chunkFrames ? await this.chunkedFeatures(members[0]!) : await this.features(members);
      const codes = await this.quantizeFeatures(features, first, count);
      batch.forEach((index, j) => (results[index] = codes[j]!));
    }
    checkSignal(options.signal);
    return results;
  }

  /** The encoder front over one padded batch [B, longest]: features [B, C, T] and their lengths [B]. */
  private async features(inputs: readonly Float32Array[]): Promise<{ features: ort.Tensor; lengths: ort.Tensor }> {
    const longest = Math.max(...inputs.map((x) => x.length));
    const audio = new Float32Array(inputs.length * longest); // [B, L], zeros past each row's end (never read)
    inputs.forEach((x, b) => audio.set(x, b * longest));
    const front = await this.session("front");
    const out = await front.run({ audio: new ort.Tensor("float32", audio, [inputs.length, longest]), lengths: int64(inputs.map((x) => x.length), [inputs.length]) });
    return { features: out["features"]!, lengths: out["feature_lengths"]! };
  }

  /**
   * The encoder front over one long utterance in overlapping chunks (see chunkPlan.ts), stitched
   * into features [1, C, T] equal to one unchunked run, with peak memory set by the chunk size.
   */
  private async chunkedFeatures(input: Float32Array): Promise<{ features: ort.Tensor; lengths: ort.Tensor }> {
    const frames = this.framesOf(input.length);
    let stitched: Float32Array | undefined; // [C, T]
    let channels = 0;
    for (const chunk of planChunks(input.length, this.hopLength, this.chunkFrames, this.frontContext)) {
      const { features } = await this.features([input.subarray(chunk.start, chunk.end)]);
      const [, c, width] = features.dims as [number, number, number];
      channels = c;
      stitched ??= new Float32Array(c * frames);
      const data = features.data as Float32Array; // [1, C, width]
      const globalFrom = chunk.start / this.hopLength + chunk.keepFrom;
      for (let ch = 0; ch < c; ch++) {
        stitched.set(data.subarray(ch * width + chunk.keepFrom, ch * width + chunk.keepTo), ch * frames + globalFrom);
      }
    }
    return { features: new ort.Tensor("float32", stitched!, [1, channels, frames]), lengths: int64([frames], [1]) };
  }

  /** The encoder back (LSTM, last conv, RVQ) over features, and each row's codes of layers first .. first + count − 1. */
  private async quantizeFeatures(input: { features: ort.Tensor; lengths: ort.Tensor }, first: number, count: number): Promise<Codes[]> {
    const back = await this.session("back");
    const out = await back.run({ features: input.features, lengths: input.lengths });
    let codes = out["codes"]!; // [B, nQ, T] int64
    let rows = this.codebooks;
    if (first > 0) {
      const quantizer = await this.session(`quantize:${first}:${count}`);
      codes = (await quantizer.run({ latent: out["latent"]! }))["codes"]!; // [B, count, T]
      rows = count;
    }
    const data = codes.data as BigInt64Array;
    const [batch, , frames] = codes.dims as [number, number, number];
    const lengths = out["code_lengths"]!.data as BigInt64Array; // [B]
    return Array.from({ length: batch }, (_, b) => {
      const length = Number(lengths[b]);
      const row = new Int32Array(count * length); // [count, length]
      for (let r = 0; r < count; r++) {
        const offset = (b * rows + r) * frames;
        for (let t = 0; t < length; t++) row[r * length + t] = Number(data[offset + t]);
      }
      return { data: row, codebooks: count, frames: length, firstCodebook: first };
    });
  }

  async decode(codes: readonly Codes[], options: DecodeOptions = {}): Promise<Float32Array[]> {
    codes.forEach((c, i) => this.checkCodes(c, i));
    const results: Float32Array[] = new Array(codes.length);
    // One batch holds one row count (the graph's codes are [B, n, T]).
    const byRows = new Map<number, number[]>();
    codes.forEach((c, i) => byRows.set(c.codebooks, [...(byRows.get(c.codebooks) ?? []), i]));
    for (const members of byRows.values()) {
      const batches = planBatches(members.map((i) => codes[i]!.frames), { maxBatchFrames: BATCH_FRAMES, maxBatchSize: Infinity });
      for (const batch of batches) {
        checkSignal(options.signal);
        const audio = await this.decodeBatch(batch.map((j) => codes[members[j]!]!));
        batch.forEach((j, k) => (results[members[j]!] = audio[k]!));
      }
    }
    checkSignal(options.signal);
    return results;
  }

  private checkCodes(c: Codes, index: number): void {
    const first = c.firstCodebook ?? 0;
    const where = `${this.source}: codes[${index}]`;
    if (!Number.isInteger(first) || first < 0 || c.codebooks < 1 || first + c.codebooks > this.codebooks) {
      throw new InvalidInputError(`${where}: rows ${first}..${first + c.codebooks - 1} are not quantizer layers of this model (0..${this.codebooks - 1})`);
    }
    if (c.frames < 1 || c.data.length !== c.codebooks * c.frames) {
      throw new InvalidInputError(`${where}: ${c.data.length} codes for ${c.codebooks} rows × ${c.frames} frames`);
    }
    const bad = c.data.findIndex((v) => v < 0 || v >= this.codebookSize);
    if (bad >= 0) throw new InvalidInputError(`${where}: code ${c.data[bad]} at ${bad} is outside [0, ${this.codebookSize})`);
  }

  /** One padded batch of codes [B, n, longest] through the decoder. */
  private async decodeBatch(codes: readonly Codes[]): Promise<Float32Array[]> {
    const rows = codes[0]!.codebooks;
    const longest = Math.max(...codes.map((c) => c.frames));
    const padded = new BigInt64Array(codes.length * rows * longest); // [B, n, T], code 0 past each row's end (masked)
    codes.forEach((c, b) => {
      for (let r = 0; r < rows; r++) {
        for (let t = 0; t < c.frames; t++) padded[(b * rows + r) * longest + t] = BigInt(c.data[r * c.frames + t]!);
      }
    });
    const session = await this.session("decode");
    const out = await session.run({
      codes: new ort.Tensor("int64", padded, [codes.length, rows, longest]),
      lengths: int64(codes.map((c) => c.frames), [codes.length]),
      first: int64(codes.map((c) => c.firstCodebook ?? 0), [codes.length]),
    });
    const audio = out["audio"]!.data as Float32Array; // [B, hop · longest]
    const width = out["audio"]!.dims[1]!;
    return codes.map((c, b) => audio.slice(b * width, b * width + c.frames * this.hopLength));
  }

  async dispose(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map(async (s) => (await s).release()));
  }
}
