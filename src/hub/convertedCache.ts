/**
 * Built batched graphs, kept for the next start: building one from a released file reads, imports
 * and re-serialises every weight (seconds for a full-size model); reusing it is a stat and a small
 * JSON read, and onnxruntime gets the file path, so the graph's bytes never pass through JS.
 *
 * Key: the released file's sha256, BUILDER_VERSION (a fingerprint of the builder code) and the
 * mode, so a changed builder, a different file or the other mode never reuses a stale graph. A damaged or unreadable entry is rebuilt, never fatal; a cache that
 * cannot be written just means building every time.
 */
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { S3TokenizerError } from "../errors.js";
import { BUILDER_VERSION, buildBatchedModel, type BatchedModel, type ModelInfo, type ModelMode } from "../modelFile.js";
import type { ModelDims, ModelVersion } from "../models/weights.js";
import { writeFileAtomic } from "./atomicWrite.js";
import { convertedDir } from "./cacheDir.js";
import { withFileLock } from "./fileLock.js";
import { hubSettings, type HubOptions } from "./options.js";
import { releasedDigest } from "./releasedDigest.js";

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
  /** Size of the graph file, to catch a truncated one without parsing it. */
  size: number;
}

interface ConvertedPaths {
  dir: string;
  /** `<sha256>-<BUILDER_VERSION>-<mode>`; `<sha256>-` is the prefix shared by every entry of the file. */
  key: string;
  graph: string;
  meta: string;
}

const DIM_KEYS: readonly (keyof ModelDims)[] = [
  "nMels", "width", "heads", "headDim", "layers", "mlpWidth", "conv1Stride", "codebookSize", "tokenRate",
];

function convertedPaths(cacheDir: string, releasedSha256: string, mode: ModelMode): ConvertedPaths {
  const dir = convertedDir(cacheDir);
  const key = `${releasedSha256}-${BUILDER_VERSION}-${mode}`;
  return { dir, key, graph: join(dir, `${key}.onnx`), meta: join(dir, `${key}.json`) };
}

function isMeta(value: unknown, releasedSha256: string): value is ConvertedMeta {
  if (typeof value !== "object" || value === null) return false;
  const meta = value as Partial<Record<keyof ConvertedMeta, unknown>>;
  const dims = meta.dims as Record<string, unknown> | undefined;
  return meta.builderVersion === BUILDER_VERSION &&
    meta.releasedSha256 === releasedSha256 &&
    (meta.version === "v1" || meta.version === "v2" || meta.version === "v3") &&
    typeof meta.size === "number" &&
    typeof dims === "object" && dims !== null &&
    DIM_KEYS.every((key) => Number.isInteger(dims[key]) && (dims[key] as number) > 0);
}

/** The cached graph, or null when there is none or it does not look whole. */
async function readConverted(paths: ConvertedPaths, releasedSha256: string, releasedPath: string): Promise<BatchedModelSource | null> {
  try {
    const meta: unknown = JSON.parse(await readFile(paths.meta, "utf8"));
    if (!isMeta(meta, releasedSha256)) return null;
    if ((await stat(paths.graph)).size !== meta.size) return null;
    return { info: { source: releasedPath, version: meta.version, dims: meta.dims }, model: paths.graph, fromCache: true };
  } catch {
    return null;
  }
}

/** Graph first, JSON last: a JSON present means its graph was complete. Old builder versions' entries of the same file go. */
async function storeConverted(paths: ConvertedPaths, releasedSha256: string, model: BatchedModel): Promise<void> {
  await writeFileAtomic(paths.graph, model.bytes);
  const meta: ConvertedMeta = {
    builderVersion: BUILDER_VERSION,
    releasedSha256,
    version: model.info.version,
    dims: model.info.dims,
    size: model.bytes.byteLength,
  };
  await writeFileAtomic(paths.meta, JSON.stringify(meta, null, 1) + "\n");
  // Entries of this file from other builder versions are stale; the other mode's entry is kept.
  const stale = (await readdir(paths.dir)).filter(
    (name) => name.startsWith(`${releasedSha256}-`) && !name.includes(`-${BUILDER_VERSION}-`) && /\.(onnx|json)$/.test(name),
  );
  await Promise.all(stale.map((name) => rm(join(paths.dir, name), { force: true })));
}

function built(model: BatchedModel): BatchedModelSource {
  return { info: model.info, model: model.bytes, fromCache: false };
}

/**
 * The batched graph of a released file: from the converted cache when it holds it, else built
 * (and stored there). `convertedCache: false` builds without the cache; "refresh" rebuilds and
 * replaces the cached copy (e.g. after onnxruntime could not load it).
 */
export async function loadBatchedModel(releasedPath: string, options: HubOptions & { mode?: ModelMode } = {}): Promise<BatchedModelSource> {
  const settings = hubSettings(options);
  const mode = options.mode ?? "exact";
  const build = () => buildBatchedModel(releasedPath, mode);
  if (settings.convertedCache === false) return built(await build());
  const releasedSha256 = await releasedDigest(releasedPath, settings.cacheDir);
  // Unreadable: the builder says precisely why.
  if (releasedSha256 === null) return built(await build());
  const paths = convertedPaths(settings.cacheDir, releasedSha256, mode);
  const reuse = settings.convertedCache !== "refresh";
  if (reuse) {
    const hit = await readConverted(paths, releasedSha256, releasedPath);
    if (hit) return hit;
  }
  try {
    await mkdir(paths.dir, { recursive: true });
    // The ranks of a job starting together build the graph once; the others wait and reuse it.
    return await withFileLock(paths.graph, { pollMs: settings.download.lockPollMs }, async () => {
      const hit = reuse ? await readConverted(paths, releasedSha256, releasedPath) : null;
      if (hit) return hit;
      const model = await build();
      await storeConverted(paths, releasedSha256, model).catch(() => undefined);
      return built(model);
    });
  } catch (error) {
    if (error instanceof S3TokenizerError) throw error;
    // The cache cannot be locked or written (read-only, full): build without it.
    return built(await build());
  }
}
