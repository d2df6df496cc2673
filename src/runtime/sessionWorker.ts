/**
 * Worker thread entry of one session stream: waits for the model to open (the thread may start
 * before the model is known, sessionThread.ts), opens an onnxruntime session on the batched graph,
 * then answers forward passes one at a time. Buffers travel by transfer, never by copy.
 * Protocol (see sessionStreams.ts): "open" → "ready" | "failed"; "run" → "result" | "runFailed".
 */
import { parentPort } from "node:worker_threads";
import type * as OrtTypes from "onnxruntime-node";
import { runOnHostTensors } from "./hostRun.js";
import { isCpu } from "./options.js";
import { openWithPackedCopy } from "./packedCopy.js";
import { ort, sessionOptions, type RuntimeOptions } from "./session.js";
import { transferList, type Feeds, type Fetched } from "./tensors.js";

export interface OpenRequest {
  type: "open";
  model: string | Uint8Array;
  options: RuntimeOptions;
  /** Session settings over the device's (plain data: it crosses to the thread). */
  extra?: OrtTypes.InferenceSession.SessionOptions;
}

export interface RunRequest {
  type: "run";
  id: number;
  /** Input name → tensor; the buffers are transferred. */
  feeds: Feeds;
  /** The outputs to fetch. */
  outputs: readonly string[];
}

export type StreamMessage =
  | { type: "ready" }
  | { type: "failed"; reason: string }
  | { type: "result"; id: number; outputs: Fetched }
  | { type: "runFailed"; id: number; reason: string };

const port = parentPort!;

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function run(session: OrtTypes.InferenceSession, request: RunRequest): Promise<StreamMessage> {
  return { type: "result", id: request.id, outputs: await runOnHostTensors(ort, session, request.feeds, request.outputs) };
}

async function open({ model, options, extra }: OpenRequest): Promise<void> {
  let session: OrtTypes.InferenceSession;
  try {
    const settings = { ...sessionOptions(options), ...extra };
    session = options.packedCopy === true && isCpu(options.device) && typeof model === "string"
      ? await openWithPackedCopy(ort, model, settings)
      : await ort.InferenceSession.create(model as string, settings);
  } catch (error) {
    port.postMessage({ type: "failed", reason: reasonOf(error) } satisfies StreamMessage);
    return;
  }
  // Forward passes run one at a time, in arrival order: onnxruntime-node's run blocks this
  // thread, and the pool sends a stream its next batch only after the previous answer.
  port.on("message", (request: RunRequest) => {
    void run(session, request).then(
      (reply) => port.postMessage(reply, reply.type === "result" ? transferList(reply.outputs) : []),
      (error) => port.postMessage({ type: "runFailed", id: request.id, reason: reasonOf(error) } satisfies StreamMessage),
    );
  });
  port.postMessage({ type: "ready" } satisfies StreamMessage);
}

port.once("message", (request: OpenRequest) => void open(request));
