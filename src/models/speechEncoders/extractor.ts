/**
 * HuBERT / data2vec-audio features of 16 kHz audio, as RepCodec's readers compute them: the
 * waveform layer-normalised when task.normalize, cut into pieces of max_chunk samples, every piece
 * encoded on its own (here: as its own row of one padded batch), the pieces' features concatenated.
 * Any runtime backend; Node's opener from a path is open.ts.
 */
import { AudioTooShortError } from "../../errors.js";
import type { Checkpoint } from "../../checkpoint/parseCheckpoint.js";
import type { OrtModule, OrtSession, RuntimeBackend } from "../../runtime/backend.js";
import { isCpu, type RuntimeOptions } from "../../runtime/options.js";
import type { ModelProto } from "../../onnx/types.js";
import { speechEncoderConfig, type SpeechEncoderConfig } from "./config.js";
import { buildSpeechEncoderGraph, SPEECH_ENCODER_IO, type SpeechEncoderGraphOptions } from "./graph.js";
import { chunkPieces, DEFAULT_MAX_CHUNK, frontEndFrames, layerNormWaveform, minimumSamples } from "./waveform.js";
import { speechEncoderWeights } from "./weights.js";

export interface SpeechEncoderOptions extends RuntimeOptions {
  /** "fast": int8 projections and feed-forward; default "exact". */
  mode?: "exact" | "fast";
  /** Samples per independently encoded piece (RepCodec's --max_chunk); default 1,600,000. */
  maxChunk?: number;
}

/** How the graph is built for these options (flash attention on a CPU only, as the Whisper path). */
export function speechEncoderGraphOptions(options: SpeechEncoderOptions): SpeechEncoderGraphOptions {
  return { precision: options.mode === "fast" ? "int8" : "exact", attention: isCpu(options.device) ? "fused" : "composite" };
}

/** A read fairseq checkpoint's config and its encoder graph up to `layer` (1-based). */
export function speechEncoderGraph(checkpoint: Checkpoint, layer: number, graph: SpeechEncoderGraphOptions): { config: SpeechEncoderConfig; model: ModelProto } {
  const config = speechEncoderConfig(checkpoint.path, checkpoint.root);
  const weights = speechEncoderWeights(checkpoint.stateDict(["model"]), config, layer, checkpoint.path);
  return { config, model: buildSpeechEncoderGraph(weights, graph) };
}

export class SpeechEncoderFeatureExtractor {
  private constructor(
    readonly source: string,
    readonly config: SpeechEncoderConfig,
    readonly layer: number,
    private readonly maxChunk: number,
    private readonly session: OrtSession,
    private readonly ort: OrtModule,
  ) {}

  /** The encoder of a read fairseq checkpoint up to `layer` (1-based), opened on `backend`. */
  static async fromCheckpoint(checkpoint: Checkpoint, layer: number, options: SpeechEncoderOptions, backend: RuntimeBackend): Promise<SpeechEncoderFeatureExtractor> {
    const built = speechEncoderGraph(checkpoint, layer, speechEncoderGraphOptions(options));
    const session = await backend.openGraph(built.model, options, checkpoint.path);
    return new SpeechEncoderFeatureExtractor(checkpoint.path, built.config, layer, options.maxChunk ?? DEFAULT_MAX_CHUNK, session, backend.ort);
  }

  /** Feature width D. */
  get width(): number {
    return this.config.width;
  }

  /**
   * Features [T, D] (row-major) of each utterance (16 kHz samples); `sources` name them in errors.
   * Every piece of every utterance is one row of a single batch: pieces are independent upstream.
   */
  async features(audio: readonly Float32Array[], sources?: readonly string[]): Promise<Float32Array[]> {
    if (audio.length === 0) return [];
    const minimum = minimumSamples(this.config.convLayers);
    const pieces: { samples: Float32Array; utterance: number }[] = [];
    audio.forEach((samples, i) => {
      const source = sources?.[i] ?? `samples[${i}]`;
      if (samples.length < minimum) throw new AudioTooShortError(source, samples.length, minimum);
      const input = this.config.normalize ? layerNormWaveform(samples) : samples;
      for (const piece of chunkPieces(input, this.maxChunk)) {
        // Upstream's conv stack fails on such a remainder; a clear error here instead.
        if (piece.length < minimum) throw new AudioTooShortError(`${source} (its last piece of ${this.maxChunk}-sample chunks)`, piece.length, minimum);
        pieces.push({ samples: piece, utterance: i });
      }
    });
    const longest = Math.max(...pieces.map((p) => p.samples.length));
    const batch = new Float32Array(pieces.length * longest); // [B, S]
    pieces.forEach((piece, b) => batch.set(piece.samples, b * longest));
    const result = await this.session.run({
      [SPEECH_ENCODER_IO.audio]: new this.ort.Tensor("float32", batch, [pieces.length, longest]),
      [SPEECH_ENCODER_IO.audioLengths]: new this.ort.Tensor("int64", BigInt64Array.from(pieces, (p) => BigInt(p.samples.length)), [pieces.length]),
    });
    const out = result[SPEECH_ENCODER_IO.features]!; // [B, Tmax, D]
    const frameStride = out.dims[1]! * this.width;
    const data = out.data as Float32Array;
    const perUtterance: Float32Array[][] = audio.map(() => []);
    pieces.forEach((piece, b) => {
      const frames = frontEndFrames(piece.samples.length, this.config.convLayers);
      perUtterance[piece.utterance]!.push(data.subarray(b * frameStride, b * frameStride + frames * this.width));
    });
    return perUtterance.map((parts) => {
      const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0)); // [T, D]
      let at = 0;
      for (const part of parts) {
        joined.set(part, at);
        at += part.length;
      }
      return joined;
    });
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
