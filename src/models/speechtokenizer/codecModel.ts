/**
 * A loaded SpeechTokenizer: onnxruntime sessions over the graphs of graph.ts. Codes equal each
 * utterance encoded alone; decode returns hop · frames samples per utterance, as upstream (no
 * trimming to the input length).
 *
 * Two kinds of graphs, run two ways:
 * - The convolutions at audio rate (the encoder's before its LSTM, the decoder's after its LSTM)
 *   run one utterance at a time in overlapping chunks of at most `chunkFrames` code frames, which
 *   give exactly the unchunked values (see common/chunkPlan.ts). A batch would compute no faster
 *   per sample (each conv is already a wide matrix product over time), and bounded chunks keep
 *   onnxruntime's memory arena small, which these graphs need: without the arena every 16 kHz
 *   intermediate is freshly mapped and faulted in, about ten times slower.
 * - The LSTMs, the encoder's last conv and the RVQ run at 50 Hz over whole utterances in padded
 *   batches under a frame budget (batching amortizes the LSTMs' recurrent weights), without the
 *   arena, so that one long utterance does not leave its peak allocation held for good.
 */
import { InvalidInputError } from "../../errors.js";
import type { Codes, DecodeOptions, EncodeOptions, FamilyLoadOptions, ModelFiles, TokenizerModel } from "../../family/types.js";
import { planBatches, policyLimits, type BatchPolicy } from "../../pipeline/batchPlan.js";
import { RequestCancelledError } from "../../pipeline/dynamicBatcher.js";
import type { OrtModule, OrtSession, OrtTensor, RuntimeBackend } from "../../runtime/backend.js";
import type { RuntimeOptions } from "../../runtime/options.js";
import { planChunks, receptiveContext } from "../common/chunkPlan.js";
import { hopLength } from "./config.js";
import {
  buildDecoderBackGraph,
  buildDecoderFrontGraph,
  buildEncoderBackGraph,
  buildEncoderFrontGraph,
  buildQuantizeGraph,
  splitDecoder,
  splitEncoder,
} from "./graph.js";
import { convGeometry, decoderSteps, encoderSteps } from "./layout.js";
import type { SpeechTokenizerWeights } from "./weights.js";

/** Most code frames (50 per second) in one padded batch of the 50 Hz graphs by default: 60 s of audio. */
const BATCH_FRAMES = 3000;
/** Code frames per chunk of the audio-rate convolutions: 10 s (their context adds about 2 %). */
const CHUNK_FRAMES = 500;
/**
 * Most code frames per utterance: 20 minutes. The LSTMs, the encoder's last conv and the RVQ run
 * over the whole utterance at 50 Hz, so their memory grows with its length.
 */
export const MAX_FRAMES = 60_000;

type Session = OrtSession;
/** Rows of a graph's intermediate output: x [B, C, T] float and lengths [B] int64. */
type Features = { features: OrtTensor; lengths: OrtTensor };

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RequestCancelledError();
}

/** Row `row`'s frames [from, to) of features [B, C, T] as a new [1, C, to − from] tensor. */
function frameSlice(ort: OrtModule, features: OrtTensor, row: number, from: number, to: number): OrtTensor {
  const [, channels, frames] = features.dims as [number, number, number];
  const data = features.data as Float32Array;
  const out = new Float32Array(channels * (to - from));
  for (let c = 0; c < channels; c++) out.set(data.subarray((row * channels + c) * frames + from, (row * channels + c) * frames + to), c * (to - from));
  return new ort.Tensor("float32", out, [1, channels, to - from]);
}

/** Audio-rate convolution graphs: the memory arena on (see the file comment). */
const CONV_GRAPHS = new Set(["encoderFront", "decoderBack"]);

/**
 * The model on any runtime backend (Node's SpeechTokenizerOnnxModel in model.ts passes
 * onnxruntime-node's; a page passes onnxruntime-web's).
 */
export class SpeechTokenizerCodec implements TokenizerModel {
  readonly family = "speechtokenizer" as const;
  /** The files it was loaded from (set by the family's loader; empty for a model built in memory). */
  files: ModelFiles = {};
  readonly sampleRate = 16000;
  /** Mono: a file of several channels gives channel 0, as upstream's load_audio. */
  readonly channels = 1;
  readonly frameRate: number;
  readonly codebooks: number;
  readonly codebookSize: number;
  readonly hopLength: number;
  readonly parallelism = 1;
  /** Padded code frames of the 50 Hz graphs per pass (options.maxBatchFrames; default 60 s on every device). */
  readonly batching: BatchPolicy;
  private readonly runtime: RuntimeOptions;
  private readonly ort: OrtModule;
  /** Sessions by graph ("encoderFront", "decoderBack", "quantize:first:count", …), opened on first use. */
  private readonly sessions = new Map<string, Promise<Session>>();
  /** Input samples read around an encoder chunk, and code frames around a decoder chunk. */
  private readonly encoderContext: { left: number; right: number };
  private readonly decoderContext: { left: number; right: number };

  constructor(
    private readonly backend: RuntimeBackend,
    private readonly weights: SpeechTokenizerWeights,
    readonly source: string,
    options: FamilyLoadOptions = {},
    /** Code frames per chunk of the audio-rate convolutions (default 10 s); small values are for tests. */
    private readonly chunkFrames = CHUNK_FRAMES,
  ) {
    this.hopLength = hopLength(weights.config);
    this.frameRate = this.sampleRate / this.hopLength;
    this.codebooks = weights.config.nQ;
    this.codebookSize = weights.config.codebookSize;
    this.batching = { unit: "frames", unitName: "code frames", maxBatchUnits: options.maxBatchFrames ?? BATCH_FRAMES, maxBatchSize: options.maxBatchSize ?? Infinity };
    this.runtime = options; // threads: the Node runtime's default (runtime/options.ts withDefaultThreads); the page's come from its wasm settings
    this.ort = backend.ort;
    this.encoderContext = receptiveContext(convGeometry(splitEncoder(encoderSteps(weights.config)).front));
    this.decoderContext = receptiveContext(convGeometry(splitDecoder(decoderSteps(weights.config)).back));
  }

  /** Opens the encoder's sessions now (load errors surface at load time, not at first use). */
  async open(): Promise<this> {
    await Promise.all([this.session("encoderFront"), this.session("encoderBack")]);
    return this;
  }

  private session(key: string): Promise<Session> {
    let session = this.sessions.get(key);
    if (session === undefined) {
      const [kind, first, count] = key.split(":");
      const builders: Record<string, () => ReturnType<typeof buildEncoderFrontGraph>> = {
        encoderFront: () => buildEncoderFrontGraph(this.weights),
        encoderBack: () => buildEncoderBackGraph(this.weights),
        decoderFront: () => buildDecoderFrontGraph(this.weights),
        decoderBack: () => buildDecoderBackGraph(this.weights),
        quantize: () => buildQuantizeGraph(this.weights, Number(first), Number(count)),
      };
      // Memory patterns never carry over (lengths vary from call to call); the arena only where
      // chunks bound its size (see the file comment).
      const arena = CONV_GRAPHS.has(kind!);
      session = this.backend.openGraph(builders[kind!]!(), this.runtime, `${this.source} (${key})`, { enableCpuMemArena: arena, enableMemPattern: false });
      this.sessions.set(key, session);
    }
    return session;
  }

  private async run(key: string, feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
    return (await this.session(key)).run(feeds) as Promise<Record<string, OrtTensor>>;
  }

  /** An int64 tensor of `values`. */
  private int64(values: readonly number[], dims: number[]): OrtTensor {
    return new this.ort.Tensor("int64", BigInt64Array.from(values, (v) => BigInt(v)), dims);
  }

  /** Code frames of `samples` samples: ceil(samples / hop), as the strided convs give. */
  framesOf(samples: number): number {
    return Math.ceil(samples / this.hopLength);
  }

  private checkLength(frames: number, what: string): void {
    if (frames > MAX_FRAMES) {
      throw new InvalidInputError(`${this.source}: ${what} is ${(frames / this.frameRate).toFixed(1)} s long; at most ${MAX_FRAMES / this.frameRate} s per utterance (the LSTMs run over the whole utterance)`);
    }
  }

  /** Batches of indices for the 50 Hz graphs: padded batches under the frame budget (a longer utterance alone). */
  private plan(frames: readonly number[], indices: readonly number[]): number[][] {
    const batches = planBatches(indices.map((i) => frames[i]!), policyLimits(this.batching));
    return batches.map((batch) => batch.map((j) => indices[j]!));
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
      this.checkLength(this.framesOf(input.length), `inputs[${i}]`);
    });
    const frames = inputs.map((input) => this.framesOf(input.length));
    const results: Codes[] = new Array(inputs.length);
    for (const batch of this.plan(frames, inputs.map((_, i) => i))) {
      checkSignal(options.signal);
      const features = await this.encoderFeatures(batch.map((i) => inputs[i]!));
      const codes = await this.quantizeFeatures(features, first, count);
      batch.forEach((index, j) => (results[index] = codes[j]!));
    }
    checkSignal(options.signal);
    return results;
  }

  /**
   * The encoder front over each utterance, padded into one batch of features [B, C, longest T]
   * with their lengths [B] (frames past a row's length are zero and never read by the back).
   */
  private async encoderFeatures(inputs: readonly Float32Array[]): Promise<Features> {
    const frames = inputs.map((x) => this.framesOf(x.length));
    const longest = Math.max(...frames);
    let batch: Float32Array | undefined; // [B, C, longest]
    let channels = 0;
    for (const [b, input] of inputs.entries()) {
      for (const chunk of planChunks(input.length, this.hopLength, this.chunkFrames, this.encoderContext)) {
        const piece = input.subarray(chunk.start, chunk.end); // [L'] samples of the chunk
        const out = await this.run("encoderFront", { audio: new this.ort.Tensor("float32", piece, [1, piece.length]), lengths: this.int64([piece.length], [1]) });
        const features = out["features"]!; // [1, C, width]
        const [, c, width] = features.dims as [number, number, number];
        channels = c;
        batch ??= new Float32Array(inputs.length * c * longest);
        const data = features.data as Float32Array;
        const at = chunk.start / this.hopLength + chunk.keepFrom; // the first kept frame's place in the utterance
        for (let ch = 0; ch < c; ch++) batch.set(data.subarray(ch * width + chunk.keepFrom, ch * width + chunk.keepTo), (b * c + ch) * longest + at);
      }
    }
    return { features: new this.ort.Tensor("float32", batch!, [inputs.length, channels, longest]), lengths: this.int64(frames, [inputs.length]) };
  }

  /** The encoder back (LSTM, last conv, RVQ) over features, and each row's codes of layers first .. first + count − 1. */
  private async quantizeFeatures(input: Features, first: number, count: number): Promise<Codes[]> {
    const out = await this.run("encoderBack", { features: input.features, lengths: input.lengths });
    // Layer 0 on: the full encode's leading rows. From a later layer the residual starts at the latent, so quantize again.
    const codes = first === 0 ? out["codes"]! : (await this.run(`quantize:${first}:${count}`, { latent: out["latent"]! }))["codes"]!; // [B, rows, T]
    const data = codes.data as BigInt64Array;
    const [batch, rows, frames] = codes.dims as [number, number, number];
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
    const frames = codes.map((c) => c.frames);
    for (const members of byRows.values()) {
      for (const batch of this.plan(frames, members)) {
        checkSignal(options.signal);
        const group = batch.map((i) => codes[i]!);
        const features = await this.decoderFeatures(group);
        const audio = await this.audio(features, group);
        batch.forEach((index, j) => (results[index] = audio[j]!));
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
    this.checkLength(c.frames, `codes[${index}]`);
    const bad = c.data.findIndex((v) => v < 0 || v >= this.codebookSize);
    if (bad >= 0) throw new InvalidInputError(`${where}: code ${c.data[bad]} at ${bad} is outside [0, ${this.codebookSize})`);
  }

  /** The decoder front (RVQ sum, first conv, LSTM) over one padded batch of codes [B, n, longest]. */
  private async decoderFeatures(codes: readonly Codes[]): Promise<Features> {
    const rows = codes[0]!.codebooks;
    const longest = Math.max(...codes.map((c) => c.frames));
    const padded = new BigInt64Array(codes.length * rows * longest); // [B, n, T], code 0 past each row's end (never read)
    codes.forEach((c, b) => {
      for (let r = 0; r < rows; r++) {
        for (let t = 0; t < c.frames; t++) padded[(b * rows + r) * longest + t] = BigInt(c.data[r * c.frames + t]!);
      }
    });
    const out = await this.run("decoderFront", {
      codes: new this.ort.Tensor("int64", padded, [codes.length, rows, longest]),
      lengths: this.int64(codes.map((c) => c.frames), [codes.length]),
      first: this.int64(codes.map((c) => c.firstCodebook ?? 0), [codes.length]),
    });
    return { features: out["features"]!, lengths: out["feature_lengths"]! };
  }

  /**
   * The decoder back over each row of features [B, C, T], one utterance at a time in overlapping
   * chunks of frames: each row's hop · frames samples.
   */
  private async audio(input: Features, codes: readonly Codes[]): Promise<Float32Array[]> {
    const results: Float32Array[] = [];
    for (const [b, c] of codes.entries()) {
      const audio = new Float32Array(c.frames * this.hopLength);
      for (const chunk of planChunks(c.frames, 1, this.chunkFrames, this.decoderContext)) {
        const features = frameSlice(this.ort, input.features, b, chunk.start, chunk.end); // [1, C, width]
        const out = await this.run("decoderBack", { features, lengths: this.int64([chunk.end - chunk.start], [1]) });
        const samples = (out["audio"]!.data as Float32Array).subarray(chunk.keepFrom * this.hopLength, chunk.keepTo * this.hopLength); // the kept part of [1, hop · width]
        audio.set(samples, (chunk.start + chunk.keepFrom) * this.hopLength);
      }
      results.push(audio);
    }
    return results;
  }

  async dispose(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map(async (s) => (await s).release()));
  }
}
