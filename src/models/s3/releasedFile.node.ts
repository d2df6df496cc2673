/**
 * Node's way to open a released S3 file on disk: the batched graph from the derived-file cache
 * (built and stored on a first start), opened by path so that onnxruntime maps its weights, with
 * its packed copy beside it (runtime/packedCopy.ts). A page opens released bytes instead
 * (batchedTokenizer.ts); its bundle takes releasedFile.web.ts in place of this file.
 */
import { ModelFormatError } from "../../errors.js";
import type { DerivedFileCache } from "../../family/derivedFiles.js";
import type { GraphRunner, LaterStreams, RuntimeBackend } from "../../runtime/backend.js";
import type { RuntimeOptions } from "../../runtime/options.js";
import { loadBatchedModel } from "./convertedCache.js";
import type { GraphTarget, ModelInfo, ModelMode } from "./modelFile.js";

/** The batched graph of a released file, opened as `streams` sessions on `backend`. */
export async function openReleasedFile(
  path: string,
  settings: { mode: ModelMode; target: GraphTarget; runtime: RuntimeOptions; streams: number; laterStreams?: LaterStreams | undefined },
  backend: RuntimeBackend,
  cache: DerivedFileCache | undefined,
  checkInfo: (info: ModelInfo) => void,
): Promise<{ info: ModelInfo; streams: GraphRunner }> {
  const graphOptions = { mode: settings.mode, target: settings.target };
  let batched = await loadBatchedModel(path, cache, graphOptions);
  checkInfo(batched.info); // before any session opens
  // A graph given as a path is the cache's copy: it may keep its packed weights beside it.
  const runtimeFor = (model: Uint8Array | string) => ({ ...settings.runtime, packedCopy: typeof model === "string" });
  try {
    return { info: batched.info, streams: await backend.openStreams(batched.model, runtimeFor(batched.model), path, settings.streams, undefined, settings.laterStreams) };
  } catch (error) {
    // A cached graph onnxruntime cannot read is a damaged cache entry: rebuild it, once.
    if (!batched.fromCache || !(error instanceof ModelFormatError)) throw error;
    batched = await loadBatchedModel(path, cache, { ...graphOptions, refresh: true });
    return { info: batched.info, streams: await backend.openStreams(batched.model, runtimeFor(batched.model), path, settings.streams, undefined, settings.laterStreams) };
  }
}
