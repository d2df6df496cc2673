/**
 * A Whisper checkpoint's encoder, up to a layer, written as a graph file with its weights beside
 * it (external data) for onnxruntime to open. Run in a worker thread (whisperConvertWorker.ts) by
 * `convertWhisperInWorker`: the checkpoint's bytes and the float32 (widened, transposed) weights,
 * about twice the encoder's float32 size, then die with the thread instead of waiting on the main
 * thread's garbage collector while onnxruntime opens the graph and the first audio runs.
 */
import { Worker } from "node:worker_threads";
import { readCheckpoint } from "../../checkpoint/index.js";
import type { ModelProto } from "../../onnx/types.js";
import { writeScratchModel } from "../../runtime/fileSession.js";
import { whisperFeatureGraph, type WhisperGraphShape } from "./whisperEncoder.js";
import type { WhisperGraphOptions } from "./whisperGraph.js";

export interface WhisperConvertRequest {
  /** The openai/whisper checkpoint. */
  path: string;
  /** 1-based block (default: the last). */
  layer: number | undefined;
  graph: WhisperGraphOptions;
  /** Existing folder the graph and its weights are written into. */
  dir: string;
}

export interface WhisperConverted extends WhisperGraphShape {
  /** Path of the graph file (its weights beside it). */
  graph: string;
}

/** Reads and checks the checkpoint, builds the graph; throws the typed error of a bad checkpoint or layer. */
export async function whisperFeatureModel(request: Omit<WhisperConvertRequest, "dir">): Promise<WhisperGraphShape & { model: ModelProto }> {
  return whisperFeatureGraph(await readCheckpoint(request.path), request.layer, request.graph);
}

/** whisperFeatureModel, written into `request.dir`. */
export async function convertWhisper(request: WhisperConvertRequest): Promise<WhisperConverted> {
  const { model, width, nMels } = await whisperFeatureModel(request);
  return { graph: await writeScratchModel(model, request.dir), width, nMels };
}

/** What the worker posts back: the result, or that it failed (the caller finds out why). */
export type WhisperConvertReply = { ok: true; converted: WhisperConverted } | { ok: false; reason: string };

/**
 * convertWhisper in a worker thread. When the worker fails (a bad checkpoint, or no worker could
 * run), the conversion is redone on this thread: a bad file then throws its own typed error here,
 * with its class and fields intact, which a message from a thread could not carry.
 */
export async function convertWhisperInWorker(request: WhisperConvertRequest): Promise<WhisperConverted> {
  const reply = await new Promise<WhisperConvertReply>((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL("./whisperConvertWorker.js", import.meta.url), { workerData: request });
    } catch (error) {
      resolve({ ok: false, reason: String(error) });
      return;
    }
    worker.once("message", (message: WhisperConvertReply) => resolve(message));
    worker.once("error", (error) => resolve({ ok: false, reason: error.message }));
    worker.once("exit", (code) => resolve({ ok: false, reason: `the worker exited with code ${code}` }));
  });
  return reply.ok ? reply.converted : convertWhisper(request);
}
