/**
 * Built batched graphs, kept for the next start: building one from a released file reads, imports
 * and re-serialises every weight (seconds for a full-size model); reusing it is a stat and a small
 * JSON read, and onnxruntime gets the file path, so the graph's bytes never pass through JS. The
 * weights sit in a side file (ONNX external data) that onnxruntime maps instead of parsing.
 *
 * Key: the released file's sha256, BUILDER_VERSION (a fingerprint of the builder code), the mode
 * and the target, so a changed builder, a different file, the other mode or target never reuses a
 * stale graph. A damaged or unreadable entry is rebuilt, never fatal; a cache that cannot be
 * written just means building every time.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { TokenizerError } from "../../errors.js";
import { BUILDER_VERSION } from "../builderVersion.js";
import { buildBatchedGraph, type BatchedGraph, type GraphTarget, type ModelInfo, type ModelMode } from "./modelFile.js";
import { writeModelWithExternalData } from "../../onnx/externalData.js";
import { encodeModel } from "../../onnx/encode.js";
import type { ModelDims, ModelVersion } from "./weights.js";
import type { DerivedFileCache } from "../../family/derivedFiles.js";
import { packedCopyPrefix } from "../../runtime/packedCopy.js";

export interface BatchedModelSource {
  /** `source` is the released file. */
  info: ModelInfo;
  /** The batched graph: its serialised bytes (just built), or the path of the cached copy. */
  model: Uint8Array | string;
  /** True when the graph came from the converted cache (nothing was built). */
  fromCache: boolean;
}

/** What the JSON beside a cached graph holds. */
interface ConvertedMeta {
  builderVersion: string;
  releasedSha256: string;
  version: ModelVersion;
  dims: ModelDims;
  /** Sizes of the graph file and of its weights file, to catch a truncated one without parsing it. */
  size: number;
  dataSize: number;
}

interface ConvertedPaths {
  dir: string;
  /** `<sha256>-<BUILDER_VERSION>-<mode>-<target>`; `<sha256>-` is the prefix shared by every entry of the file. */
  key: string;
  graph: string;
  /** The graph's weights (external data), named in the graph by its base name. */
  data: string;
  meta: string;
}

const DIM_KEYS: readonly (keyof ModelDims)[] = [
  "nMels", "width", "heads", "headDim", "layers", "mlpWidth", "conv1Stride", "codebookSize", "tokenRate",
];

function convertedPaths(dir: string, releasedSha256: string, mode: ModelMode, target: GraphTarget): ConvertedPaths {
  const key = `${releasedSha256}-${BUILDER_VERSION}-${mode}-${target}`;
  return { dir, key, graph: join(dir, `${key}.onnx`), data: join(dir, `${key}.onnx.data`), meta: join(dir, `${key}.json`) };
}

function isMeta(value: unknown, releasedSha256: string): value is ConvertedMeta {
  if (typeof value !== "object" || value === null) return false;
  const meta = value as Partial<Record<keyof ConvertedMeta, unknown>>;
  const dims = meta.dims as Record<string, unknown> | undefined;
  return meta.builderVersion === BUILDER_VERSION &&
    meta.releasedSha256 === releasedSha256 &&
    (meta.version === "v1" || meta.version === "v2" || meta.version === "v3") &&
    typeof meta.size === "number" &&
    typeof meta.dataSize === "number" &&
    typeof dims === "object" && dims !== null &&
    DIM_KEYS.every((key) => Number.isInteger(dims[key]) && (dims[key] as number) > 0);
}

/** The cached graph, or null when there is none or it does not look whole. */
async function readConverted(paths: ConvertedPaths, releasedSha256: string, releasedPath: string): Promise<BatchedModelSource | null> {
  try {
    const meta: unknown = JSON.parse(await readFile(paths.meta, "utf8"));
    if (!isMeta(meta, releasedSha256)) return null;
    if ((await stat(paths.graph)).size !== meta.size || (await stat(paths.data)).size !== meta.dataSize) return null;
    return { info: { source: releasedPath, version: meta.version, dims: meta.dims }, model: paths.graph, fromCache: true };
  } catch {
    return null;
  }
}

/**
 * Weights, then graph, then JSON, each renamed into place when complete: a JSON present means
 * its graph and weights were whole. Old builder versions' entries of the same file go.
 */
async function storeConverted(cache: DerivedFileCache, paths: ConvertedPaths, releasedSha256: string, model: BatchedGraph): Promise<void> {
  const temporaryGraph = cache.temporaryPath(paths.graph);
  const temporaryData = cache.temporaryPath(paths.data);
  let sizes;
  try {
    // The graph names the data file by its final name; both are renamed into place below.
    sizes = await writeModelWithExternalData(model.graph, temporaryGraph, temporaryData, basename(paths.data));
    await rename(temporaryData, paths.data);
    await rename(temporaryGraph, paths.graph);
  } catch (error) {
    await Promise.all([rm(temporaryGraph, { force: true }), rm(temporaryData, { force: true })]);
    throw error;
  }
  const meta: ConvertedMeta = {
    builderVersion: BUILDER_VERSION,
    releasedSha256,
    version: model.info.version,
    dims: model.info.dims,
    size: sizes.graphBytes,
    dataSize: sizes.dataBytes,
  };
  await cache.writeAtomic(paths.meta, JSON.stringify(meta, null, 1) + "\n");
  // Entries of this file from other builder versions are stale; other modes' and targets' are kept.
  // So are the packed copies of the graph just replaced (runtime/packedCopy.ts): made from the old one.
  const stale = (await readdir(paths.dir)).filter(
    (name) =>
      (name.startsWith(`${releasedSha256}-`) && !name.includes(`-${BUILDER_VERSION}-`) && /\.(onnx|onnx\.data|json)$|\.onnx\.packed-/.test(name)) ||
      name.startsWith(packedCopyPrefix(basename(paths.graph))),
  );
  await Promise.all(stale.map((name) => rm(join(paths.dir, name), { recursive: true, force: true })));
}

/** A graph that could not be stored goes to onnxruntime as bytes, weights inside. */
function inMemory(model: BatchedGraph): BatchedModelSource {
  return { info: model.info, model: encodeModel(model.graph), fromCache: false };
}

/**
 * The batched graph of a released file: from the derived-file cache when it holds it, else built
 * (and stored there). No cache (a caller that keeps none) or policy false builds without it;
 * "refresh" rebuilds and replaces the stored copy (e.g. after onnxruntime could not load it).
 * Target: "portable" unless given.
 */
export async function loadBatchedModel(
  releasedPath: string,
  cache: DerivedFileCache | undefined,
  options: { mode?: ModelMode; target?: GraphTarget; refresh?: boolean } = {},
): Promise<BatchedModelSource> {
  const mode = options.mode ?? "exact";
  const target = options.target ?? "portable";
  const build = () => buildBatchedGraph(releasedPath, mode, target);
  if (cache === undefined || cache.policy === false) return inMemory(await build());
  const releasedSha256 = await cache.digest(releasedPath);
  // Unreadable: the builder says precisely why.
  if (releasedSha256 === null) return inMemory(await build());
  const paths = convertedPaths(cache.dir, releasedSha256, mode, target);
  const reuse = cache.policy !== "refresh" && options.refresh !== true;
  if (reuse) {
    const hit = await readConverted(paths, releasedSha256, releasedPath);
    if (hit) return hit;
  }
  try {
    await mkdir(paths.dir, { recursive: true });
    // The ranks of a job starting together build the graph once; the others wait and reuse it.
    return await cache.withLock(paths.graph, async () => {
      const hit = reuse ? await readConverted(paths, releasedSha256, releasedPath) : null;
      if (hit) return hit;
      const model = await build();
      try {
        await storeConverted(cache, paths, releasedSha256, model);
      } catch {
        return inMemory(model); // the cache cannot be written (read-only, full)
      }
      // Opened from the stored files, like a later start: mapped weights, no serialised copy.
      return { info: model.info, model: paths.graph, fromCache: false };
    });
  } catch (error) {
    if (error instanceof TokenizerError) throw error;
    // The cache cannot be locked (read-only, full): build without it.
    return inMemory(await build());
  }
}
