/**
 * A cached graph's copy with onnxruntime's packed weights, so that a later start maps them instead
 * of packing them again.
 *
 * Why: when a CPU session opens, onnxruntime packs every MatMul weight into the layout of its
 * kernels, into fresh memory as large as the weights. On a virtual machine every first touch of a
 * fresh page is expensive (about 12 µs per 4 KiB page measured on the development VM: 1.5 s of the
 * 1.7 s that opening the 495 MB v2 graph took). onnxruntime can save its optimised graph with the
 * packed weights in an external data file (`session.save_external_prepacked_constant_initializers`)
 * and, opening that file, maps them from the page cache: the same kernels on the same packed bytes
 * (the same outputs; the conformance suites run through it), opened in about a third of the time,
 * and shared by every stream of the process instead of packed once per stream.
 *
 * The packed layout belongs to the CPU's kernels and to the onnxruntime build, and the optimised
 * graph to the session settings: the copy's folder is keyed by all three and sits beside the graph
 * it came from (`<graph>.packed-<key>/`). It is written by the first session that finds none, into
 * a folder renamed into place once complete; any failure (read-only or full cache, another process
 * writing it, a copy onnxruntime cannot open) falls back to opening the graph itself.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import type * as OrtTypes from "onnxruntime-node";

type SessionOptions = OrtTypes.InferenceSession.SessionOptions;
type Ort = typeof OrtTypes;

const GRAPH = "graph.onnx";
const DATA = "graph.onnx.data";
/** Written last: its presence says the folder is whole. */
const COMPLETE = "complete.json";
/** A writing folder older than this was left by a process that died. */
const ABANDONED_MS = 60 * 60_000;

interface CompleteRecord {
  graphBytes: number;
  dataBytes: number;
}

/** The CPU's model and feature flags: what decides which kernels (and packed layouts) run. */
function cpuIdentity(): string {
  let flags = "";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    flags = /^flags\s*:(.*)$/m.exec(info)?.[1]?.trim() ?? "";
  } catch {
    // Not Linux: the model name below is what there is.
  }
  return `${process.arch} ${cpus()[0]?.model ?? "unknown"} ${flags}`;
}

/** The start of the names of `graphName`'s packed copies (`<graph>.packed-<key>`, and the same with `.writing` while one is written). */
export function packedCopyPrefix(graphName: string): string {
  return `${graphName}.packed-`;
}

/** Folder of the packed copy of `graphPath` for these settings on this CPU and onnxruntime. */
export function packedCopyFolder(ort: Ort, graphPath: string, settings: SessionOptions): string {
  // The thread count changes neither the graph nor the packing: every stream shares one copy.
  const { intraOpNumThreads: _threads, ...graphSettings } = settings;
  const key = createHash("sha256")
    .update(JSON.stringify([ort.env.versions, cpuIdentity(), graphSettings]))
    .digest("hex")
    .slice(0, 16);
  return `${packedCopyPrefix(graphPath)}${key}`;
}

async function isComplete(folder: string): Promise<boolean> {
  try {
    const record = JSON.parse(await readFile(join(folder, COMPLETE), "utf8")) as CompleteRecord;
    return (await stat(join(folder, GRAPH))).size === record.graphBytes && (await stat(join(folder, DATA))).size === record.dataBytes;
  } catch {
    return false;
  }
}

/** Takes the right to write `folder`: false when another process is writing it. */
async function claimWriting(writing: string): Promise<boolean> {
  try {
    await mkdir(writing);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return false;
    try {
      if (Date.now() - (await stat(writing)).mtimeMs < ABANDONED_MS) return false;
      await rm(writing, { recursive: true, force: true });
      await mkdir(writing);
      return true;
    } catch {
      return false;
    }
  }
}

/** Opens `graphPath` while saving its packed copy into `writing`, then renames it to `folder`. */
async function openWritingCopy(ort: Ort, graphPath: string, settings: SessionOptions, folder: string, writing: string): Promise<OrtTypes.InferenceSession> {
  const saving: SessionOptions = {
    ...settings,
    optimizedModelFilePath: join(writing, GRAPH),
    extra: {
      ...(settings.extra as Record<string, unknown> | undefined),
      session: {
        ...((settings.extra as { session?: Record<string, string> } | undefined)?.session),
        optimized_model_external_initializers_file_name: DATA,
        optimized_model_external_initializers_min_size_in_bytes: "1024",
        save_external_prepacked_constant_initializers: "1",
      },
    },
  };
  let session: OrtTypes.InferenceSession;
  try {
    session = await ort.InferenceSession.create(graphPath, saving);
  } catch (error) {
    await rm(writing, { recursive: true, force: true });
    throw error;
  }
  try {
    const record: CompleteRecord = {
      graphBytes: (await stat(join(writing, GRAPH))).size,
      dataBytes: (await stat(join(writing, DATA))).size,
    };
    await writeFile(join(writing, COMPLETE), JSON.stringify(record) + "\n");
    await rename(writing, folder);
  } catch {
    // No room, or another process renamed its copy first: this session is fine either way.
    await rm(writing, { recursive: true, force: true });
  }
  return session;
}

/**
 * A CPU session on the cached graph at `graphPath`: from its packed copy when one is complete,
 * else opened from the graph while the copy is written for the next start.
 */
export async function openWithPackedCopy(ort: Ort, graphPath: string, settings: SessionOptions): Promise<OrtTypes.InferenceSession> {
  const folder = packedCopyFolder(ort, graphPath, settings);
  if (await isComplete(folder)) {
    try {
      // The copy is already optimised for this CPU: optimising it again could only undo that.
      return await ort.InferenceSession.create(join(folder, GRAPH), { ...settings, graphOptimizationLevel: "disabled" });
    } catch {
      await rm(folder, { recursive: true, force: true });
      return ort.InferenceSession.create(graphPath, settings);
    }
  }
  const writing = `${folder}.writing`;
  if (!(await claimWriting(writing))) return ort.InferenceSession.create(graphPath, settings);
  try {
    return await openWritingCopy(ort, graphPath, settings, folder, writing);
  } catch {
    // The copy could not be written (no room, say): the graph itself still opens, or says why not.
    return ort.InferenceSession.create(graphPath, settings);
  }
}
