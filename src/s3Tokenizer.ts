/**
 * The library's S3Tokenizer: the S3 model (models/s3/batchedTokenizer.ts) with Node's ways in:
 * loading by registry name or path (the hub's cache and its converted graphs, session streams in
 * worker threads) and audio files by path.
 */
import { logMelSpectrogram } from "./features/logMel.js";
import { hubDerivedFiles } from "./registry/derivedFiles.js";
import type { HubOptions } from "./hub/options.js";
import { resolveModel } from "./hub/resolve.js";
import { S3BatchedTokenizer, type TokenizerOptions as S3ModelOptions } from "./models/s3/batchedTokenizer.js";
import { loadBatchedModel as loadBatchedGraph, type BatchedModelSource } from "./models/s3/convertedCache.js";
import type { GraphTarget, ModelMode } from "./models/s3/modelFile.js";
import { nodeBackend } from "./runtime/nodeBackend.js";

export { defaultBatchLimits, type MelBatch, type QuantizeResult } from "./models/s3/batchedTokenizer.js";

/** How an S3Tokenizer loads (where its files and converted graphs are kept) and runs. */
export interface TokenizerOptions extends S3ModelOptions, HubOptions {}

/** An utterance: a path to an audio file, or 16 kHz mono samples. */
export type AudioInput = string | Float32Array;

export class S3Tokenizer extends S3BatchedTokenizer {
  /**
   * Loads a tokenizer by name (e.g. "speech_tokenizer_v2_25hz": from the cache, downloaded into
   * it when needed) or from the path of a released S3Tokenizer ONNX file (any version), and opens
   * its batched sessions. The batched graph is built once per released file and then reused.
   */
  static async load(nameOrPath: string, options: TokenizerOptions = {}): Promise<S3Tokenizer> {
    return S3Tokenizer.loadFile(await resolveModel(nameOrPath, options), nameOrPath, options);
  }

  /** Opens a local released file; `source` (e.g. the registry name it came from) names it in messages. */
  static async loadFile(released: string, source: string, options: TokenizerOptions = {}): Promise<S3Tokenizer> {
    return S3Tokenizer.openReleasedFile(released, source, nodeBackend, hubDerivedFiles(options), options);
  }

  /** Tokens of each input (file path or 16 kHz samples), all in one batched call. */
  async tokenize(inputs: readonly AudioInput[]): Promise<Int32Array[]> {
    // The audio decoders load on first use: the corpus job and the service decode in their own threads.
    const { loadAudio } = await import("./audio/loadAudio.js");
    const mels = await Promise.all(
      inputs.map(async (input, i) => {
        const samples = typeof input === "string" ? await loadAudio(input) : input;
        const source = typeof input === "string" ? input : `samples[${i}]`;
        return logMelSpectrogram(samples, this.info.dims.nMels, { source });
      }),
    );
    return this.quantizeMels(mels);
  }
}

/**
 * The batched graph of a released file, from the hub's converted-graph cache when it holds it,
 * else built and stored there (`convertedCache: false` builds without it; "refresh" replaces it).
 */
export function loadBatchedModel(releasedPath: string, options: HubOptions & { mode?: ModelMode; target?: GraphTarget } = {}): Promise<BatchedModelSource> {
  const { mode, target } = options;
  return loadBatchedGraph(releasedPath, hubDerivedFiles(options), { ...(mode ? { mode } : {}), ...(target ? { target } : {}) });
}
