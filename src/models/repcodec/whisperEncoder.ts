/**
 * Whisper-encoder features of 16 kHz audio, as RepCodec's Whisper reader computes them: the
 * 80-band log-mel with no padding to 30 s (the project's log-mel with Whisper's band count), the
 * encoder up to a 1-based layer, then the first samples // 320 frames ([frames, width] each).
 */
import { AudioTooShortError, InvalidInputError } from "../../errors.js";
import { RepCodecModelError } from "./errors.js";
import { logMelSpectrogram } from "../../features/logMel.js";
import type { Checkpoint } from "../../checkpoint/parseCheckpoint.js";
import type { OrtModule, OrtSession, RuntimeBackend } from "../../runtime/backend.js";
import { isCpu, type RuntimeOptions } from "../../runtime/options.js";
import type { ModelProto } from "../../onnx/types.js";
import { buildWhisperFeatureGraph, WHISPER_IO, type WhisperGraphOptions } from "./whisperGraph.js";
import { whisperEncoderWeights, type WhisperDims } from "./whisperWeights.js";

const SAMPLE_RATE = 16000;
/** Samples per feature frame: hop 160 × conv2 stride 2. */
export const SAMPLES_PER_FEATURE = 320;

/**
 * Longest utterance taken, in seconds. The encoder attends over the whole utterance; with flash
 * attention its memory grows linearly (measured at medium's size: see the README's RepCodec
 * section), and past this a single utterance would outgrow a few GB.
 */
export const MAX_WHISPER_SECONDS = 600;

export interface WhisperFeatureOptions extends RuntimeOptions {
  /** "fast": int8 projections and MLP (DynamicQuantizeMatMul), as S3's fast mode; default "exact". */
  mode?: "exact" | "fast";
}

/** Feature width (n_audio_state) and mel bands (n_mels) of a Whisper encoder graph. */
export interface WhisperGraphShape {
  width: number;
  nMels: number;
}

/** How the encoder graph is built for these options. */
export function whisperGraphOptions(options: WhisperFeatureOptions): WhisperGraphOptions {
  return {
    precision: options.mode === "fast" ? "int8" : "exact",
    // onnxruntime's MultiHeadAttention runs flash attention on a CPU only.
    attention: isCpu(options.device) ? "fused" : "composite",
  };
}

/** Checks a read openai/whisper checkpoint and builds its encoder's graph up to `layer` (1-based; default: every block). */
export function whisperFeatureGraph(checkpoint: Checkpoint, layer: number | undefined, graph: WhisperGraphOptions): WhisperGraphShape & { model: ModelProto } {
  const path = checkpoint.path;
  const root = checkpoint.root;
  const dimsNode = root instanceof Map ? root.get("dims") : undefined;
  if (!(dimsNode instanceof Map)) throw new RepCodecModelError(path, `no "dims" entry: not an openai/whisper checkpoint`);
  const dims = Object.fromEntries(dimsNode) as unknown as WhisperDims;
  const weights = whisperEncoderWeights(checkpoint.stateDict(["model_state_dict"]), dims, layer ?? dims.n_audio_layer, path);
  return { model: buildWhisperFeatureGraph(weights, graph), width: dims.n_audio_state, nMels: dims.n_mels };
}

/** The Whisper encoder's features on any runtime backend (Node's opener from a path: whisperFeatures.ts). */
export class WhisperFeatureExtractor {
  private constructor(
    readonly source: string,
    readonly width: number,
    private readonly nMels: number,
    private readonly session: OrtSession,
    private readonly ort: OrtModule,
  ) {}

  /** A Whisper checkpoint's encoder up to `layer` (1-based, as RepCodec counts; default: every block), opened on `backend`. */
  static async fromCheckpoint(checkpoint: Checkpoint, layer: number | undefined, options: WhisperFeatureOptions, backend: RuntimeBackend): Promise<WhisperFeatureExtractor> {
    const built = whisperFeatureGraph(checkpoint, layer, whisperGraphOptions(options));
    const session = await backend.openGraph(built.model, options, checkpoint.path);
    return WhisperFeatureExtractor.fromSession(checkpoint.path, built, session, backend.ort);
  }

  /** An extractor over a session already open on a whisperFeatureGraph of `shape`. */
  static fromSession(source: string, shape: WhisperGraphShape, session: OrtSession, ort: OrtModule): WhisperFeatureExtractor {
    return new WhisperFeatureExtractor(source, shape.width, shape.nMels, session, ort);
  }

  /** Features [samples // 320, width] of each utterance; `sources` name them in errors. */
  async features(audio: readonly Float32Array[], sources?: readonly string[]): Promise<Float32Array[]> {
    if (audio.length === 0) return [];
    audio.forEach((samples, i) => {
      const source = sources?.[i] ?? `samples[${i}]`;
      if (samples.length < SAMPLES_PER_FEATURE) throw new AudioTooShortError(source, samples.length, SAMPLES_PER_FEATURE, SAMPLE_RATE);
      if (samples.length > MAX_WHISPER_SECONDS * SAMPLE_RATE) {
        throw new InvalidInputError(`${source}: ${(samples.length / SAMPLE_RATE).toFixed(1)} s of audio; the Whisper encoder takes at most ${MAX_WHISPER_SECONDS} s per utterance (it attends over the whole utterance)`);
      }
    });
    const mels = audio.map((samples, i) => logMelSpectrogram(samples, this.nMels, { source: sources?.[i] ?? `samples[${i}]` }));
    const tmax = Math.max(...mels.map((m) => m.frames));
    const batch = new Float32Array(mels.length * this.nMels * tmax); // [B, M, Tmax]
    mels.forEach((mel, b) => {
      for (let m = 0; m < this.nMels; m++) batch.set(mel.data.subarray(m * mel.frames, (m + 1) * mel.frames), (b * this.nMels + m) * tmax);
    });
    const result = await this.session.run({
      [WHISPER_IO.mels]: new this.ort.Tensor("float32", batch, [mels.length, this.nMels, tmax]),
      [WHISPER_IO.melLengths]: new this.ort.Tensor("int64", BigInt64Array.from(mels, (m) => BigInt(m.frames)), [mels.length]),
    });
    const out = result[WHISPER_IO.features]!; // [B, T2max, D]
    const t2max = out.dims[1]!;
    const data = out.data as Float32Array;
    // Upstream keeps hidden[:samples // 320]: the last conv2 frame is dropped for odd mel counts.
    return audio.map((samples, b) => data.slice(b * t2max * this.width, (b * t2max + Math.floor(samples.length / SAMPLES_PER_FEATURE)) * this.width));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
