/**
 * A loaded RepCodec: `tokenize` maps speech-encoder features to one row of tokens per utterance,
 * `decodeFeatures` maps tokens back to features (RepCodec's decoder reconstructs the encoder's
 * features, not audio). Batches are padded to their longest row; the graphs mask each row to its
 * own length, so the tokens do not depend on what else is in the batch.
 */
import { InvalidInputError } from "../../errors.js";
import type { ModelProto } from "../../onnx/types.js";
import { encodeModel } from "../../onnx/write.js";
import { openScratchSession, writeScratchModel } from "../../runtime/fileSession.js";
import { ort, type RuntimeOptions } from "../../runtime/session.js";
import type { RepCodecConfig, StateDict } from "./config.js";
import { buildDecoderGraph, buildEncoderGraph, REPCODEC_IO } from "./graph.js";
import { repcodecWeights, type RepCodecWeights } from "./weights.js";

export interface RepCodecOptions extends RuntimeOptions {
  /** Utterances per onnxruntime call (default 16): bounds the padded batch's memory. */
  batchSize?: number;
}

/** An open session and how to release it (and its scratch folder). */
type OpenedSession = Awaited<ReturnType<typeof openScratchSession>>;

/** Opens a graph built here from a scratch file (runtime/fileSession.ts says why not from bytes). */
function openBuilt(graph: ModelProto, options: RuntimeOptions, source: string): Promise<OpenedSession> {
  return openScratchSession((dir) => writeScratchModel(graph, dir), async () => encodeModel(graph), options, source);
}

export class RepCodecModel {
  private decoder: Promise<OpenedSession> | undefined;
  private readonly batchSize: number;

  private constructor(
    readonly config: RepCodecConfig,
    readonly source: string,
    private readonly weights: RepCodecWeights,
    private readonly encoder: OpenedSession,
    private readonly options: RepCodecOptions,
  ) {
    this.batchSize = options.batchSize ?? 16;
  }

  /** Builds the encoder graph from a checked state dict and opens it; the decoder opens on first use. */
  static async create(dict: StateDict, config: RepCodecConfig, source: string, options: RepCodecOptions = {}): Promise<RepCodecModel> {
    const weights = repcodecWeights(dict, config, source);
    const encoder = await openBuilt(buildEncoderGraph(weights), options, source);
    return new RepCodecModel(config, source, weights, encoder, options);
  }

  /** Feature width the encoder takes (upstream's input_channels). */
  get featureWidth(): number {
    return this.config.input_channels;
  }

  /**
   * Tokens of each utterance's features ([T, input_channels] row-major, T ≥ 1): T tokens each.
   * Equal to tokenizing each utterance alone.
   */
  async tokenize(features: readonly Float32Array[]): Promise<Int32Array[]> {
    const width = this.config.input_channels;
    const frames = features.map((f, i) => {
      if (f.length === 0 || f.length % width !== 0) {
        throw new InvalidInputError(`features[${i}]: ${f.length} values are not T ≥ 1 frames of width ${width} (the model's input_channels)`);
      }
      return f.length / width;
    });
    const out: Int32Array[] = [];
    for (let start = 0; start < features.length; start += this.batchSize) {
      const end = Math.min(start + this.batchSize, features.length);
      const result = await this.encoder.session.run(padded(REPCODEC_IO.features, features.slice(start, end), frames.slice(start, end), width));
      const tokens = result[REPCODEC_IO.tokens]!.data as Int32Array; // [B, Tmax]
      const tmax = Math.max(...frames.slice(start, end));
      for (let b = 0; b < end - start; b++) out.push(tokens.slice(b * tmax, b * tmax + frames[start + b]!));
    }
    return out;
  }

  /** Reconstructed features of each token row: [T, output_channels] row-major. */
  async decodeFeatures(tokens: readonly Int32Array[]): Promise<Float32Array[]> {
    const size = this.config.codebook_size;
    tokens.forEach((row, i) => {
      if (row.length === 0) throw new InvalidInputError(`tokens[${i}]: empty`);
      const bad = row.findIndex((t) => t < 0 || t >= size);
      if (bad >= 0) throw new InvalidInputError(`tokens[${i}][${bad}] = ${row[bad]} is outside the codebook [0, ${size})`);
    });
    this.decoder ??= openBuilt(buildDecoderGraph(this.weights), this.options, `${this.source} (decoder)`);
    const decoder = (await this.decoder).session;
    const width = this.config.output_channels;
    const out: Float32Array[] = [];
    for (let start = 0; start < tokens.length; start += this.batchSize) {
      const batch = tokens.slice(start, start + this.batchSize);
      const frames = batch.map((row) => row.length);
      const result = await decoder.run(padded(REPCODEC_IO.tokens, batch, frames, 1));
      const features = result[REPCODEC_IO.features]!.data as Float32Array; // [B, Tmax, D]
      const tmax = Math.max(...frames);
      batch.forEach((_, b) => out.push(features.slice(b * tmax * width, (b * tmax + frames[b]!) * width)));
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.encoder.release();
    if (this.decoder) await (await this.decoder).release();
  }
}

/** Feeds for one batch: rows zero-padded to the longest ([B, Tmax] or [B, Tmax, width]) and their lengths [B]. */
function padded(name: string, rows: readonly (Float32Array | Int32Array)[], frames: readonly number[], width: number): Record<string, ort.Tensor> {
  const tmax = Math.max(...frames);
  const isFloat = rows[0] instanceof Float32Array;
  const data = isFloat ? new Float32Array(rows.length * tmax * width) : new Int32Array(rows.length * tmax * width);
  rows.forEach((row, b) => data.set(row, b * tmax * width));
  const dims = width === 1 && !isFloat ? [rows.length, tmax] : [rows.length, tmax, width];
  return {
    [name]: new ort.Tensor(isFloat ? "float32" : "int32", data, dims),
    [REPCODEC_IO.lengths]: new ort.Tensor("int64", BigInt64Array.from(frames, (t) => BigInt(t)), [rows.length]),
  };
}
