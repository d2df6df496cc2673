/**
 * The library entry point: a loaded S3Tokenizer that turns padded mel batches, mel
 * spectrograms, sample arrays or audio files into token sequences, batched, with long audio
 * through the 30 s windows. The tokenizer itself is S3BatchedTokenizer (batchedTokenizer.ts, no
 * Node module); this adds loading by name or path (hub, converted-graph cache, session streams
 * in worker threads) and audio files by path.
 */
import { ModelFormatError } from "../../errors.js";
import { logMelSpectrogram } from "../../features/logMel.js";
import { resolveModel } from "../../hub/resolve.js";
import { nodeBackend } from "../../runtime/nodeBackend.js";
import type { GraphRunner } from "../../runtime/backend.js";
import { batchLimitsFor, graphTarget, longAudioCompatOf, S3BatchedTokenizer, streamPlan, type TokenizerOptions } from "./batchedTokenizer.js";
import { loadBatchedModel } from "./convertedCache.js";

export { defaultBatchLimits, type MelBatch, type QuantizeResult, type TokenizerOptions } from "./batchedTokenizer.js";

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
    const plan = streamPlan(options, nodeBackend.threads());
    const compat = longAudioCompatOf(options, source); // before anything loads
    const target = graphTarget(options);
    let batched = await loadBatchedModel(released, { ...options, target });
    const limits = batchLimitsFor(options, batched.info); // before any session opens
    // A graph given as a path is the converted cache's copy: it may keep its packed weights beside it.
    const runtimeFor = (model: Uint8Array | string) => ({ ...plan.runtime, packedCopy: typeof model === "string" });
    let streams: GraphRunner;
    try {
      streams = await nodeBackend.openStreams(batched.model, runtimeFor(batched.model), released, plan.streams, undefined, options.laterStreams);
    } catch (error) {
      // A cached graph onnxruntime cannot read is a damaged cache entry: rebuild it, once.
      if (!batched.fromCache || !(error instanceof ModelFormatError)) throw error;
      batched = await loadBatchedModel(released, { ...options, target, convertedCache: "refresh" });
      streams = await nodeBackend.openStreams(batched.model, runtimeFor(batched.model), released, plan.streams, undefined, options.laterStreams);
    }
    return new S3Tokenizer(source, batched.info, streams, limits, plan.streams, compat);
  }

  /** Tokens of each input (file path or 16 kHz samples), all in one batched call. */
  async tokenize(inputs: readonly AudioInput[]): Promise<Int32Array[]> {
    // The audio decoders load on first use: the corpus job and the service decode in their own threads.
    const { loadAudio } = await import("../../audio/loadAudio.js");
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
