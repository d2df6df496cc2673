/**
 * Opening a session on a graph built in memory by way of a scratch folder: the graph goes to a
 * file with its weights beside it (ONNX external data), onnxruntime opens the file, the folder
 * goes. Why not hand onnxruntime the serialised bytes: those bytes are one more copy of every
 * weight on the JS heap, and onnxruntime parsing them holds two more of its own while the session
 * opens and one beyond its packed weights after it (measured on Whisper medium's encoder: 1.2 GB
 * of weights cost 2.4 GB more than from a file, peaking 3.6 GB over). From a file it reads each
 * weight once into its own layout.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTokenizerError } from "../errors.js";
import { writeModelWithExternalData } from "../onnx/externalData.js";
import type { ModelProto } from "../onnx/types.js";
import { openSession, type ort, type RuntimeOptions } from "./session.js";
import { encodeModel } from "../onnx/encode.js";

/** File names inside a scratch folder: the graph and its weights. */
export const SCRATCH_GRAPH = "model.onnx";
export const SCRATCH_DATA = "model.onnx.data";

/** Scratch folders are named this, then a random suffix, in the system's temporary directory (TMPDIR). */
export const SCRATCH_PREFIX = "s3tokenizer-graph-";

function scratchFolder(): Promise<string> {
  return mkdtemp(join(tmpdir(), SCRATCH_PREFIX));
}

/** Writes `model` into `dir` as SCRATCH_GRAPH + SCRATCH_DATA and returns the graph's path. */
export async function writeScratchModel(model: ModelProto, dir: string): Promise<string> {
  const graph = join(dir, SCRATCH_GRAPH);
  await writeModelWithExternalData(model, graph, join(dir, SCRATCH_DATA));
  return graph;
}

/**
 * Opens the graph that `write` puts into a fresh scratch folder (returning its path), then removes
 * the folder, whether or not onnxruntime could open it. Removal may fail where an open file cannot
 * be deleted (Windows, if onnxruntime keeps the weights mapped): then the session's `release`
 * removes it after releasing the session. Where no scratch folder can be made or written (no
 * writable TMPDIR, a full disk), the session opens on the serialised bytes that `inMemory` gives,
 * at the memory cost said above; this package's own errors from `write` (a bad checkpoint) are thrown as they are.
 */
export async function openScratchSession(
  write: (dir: string) => Promise<string>,
  inMemory: () => Promise<Uint8Array>,
  options: RuntimeOptions,
  source: string,
  extra: ort.InferenceSession.SessionOptions = {},
): Promise<ort.InferenceSession> {
  let dir: string;
  let graph: string;
  try {
    dir = await scratchFolder();
  } catch {
    return openSession(await inMemory(), options, source, extra);
  }
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    graph = await write(dir);
  } catch (error) {
    await remove().catch(() => undefined);
    if (isTokenizerError(error)) throw error;
    return openSession(await inMemory(), options, source, extra);
  }
  let session: ort.InferenceSession;
  try {
    session = await openSession(graph, options, source, extra);
  } catch (error) {
    await remove().catch(() => undefined);
    throw error;
  }
  if (!(await remove().then(() => true, () => false))) {
    const release = session.release.bind(session);
    session.release = async () => {
      await release();
      await remove();
    };
  }
  return session;
}

/** A graph built in memory, opened from a scratch file (the bytes where no scratch folder can be written). */
export function openGraphFromFile(model: ModelProto, options: RuntimeOptions, source: string, extra: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  return openScratchSession((dir) => writeScratchModel(model, dir), async () => encodeModel(model), options, source, extra);
}
