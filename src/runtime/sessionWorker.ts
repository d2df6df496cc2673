/**
 * Worker thread entry of one session stream: opens an onnxruntime session on the batched graph,
 * then answers forward passes one at a time. Buffers travel by transfer, never by copy.
 * Protocol (see sessionStreams.ts): "open" → "ready" | "failed"; "run" → "result" | "runFailed".
 */
import { parentPort, workerData } from "node:worker_threads";
import type * as OrtTypes from "onnxruntime-node";
import { GRAPH_IO } from "../models/tokenizerGraph.js";
import { ort, sessionOptions, type RuntimeOptions } from "./session.js";

export interface StreamWorkerData {
  model: string | Uint8Array;
  options: RuntimeOptions;
}

export interface RunRequest {
  type: "run";
  id: number;
  /** [batch, nMels, frames] */
  mels: Float32Array;
  /** [batch] */
  lengths: Int32Array;
  nMels: number;
  frames: number;
}

export type StreamMessage =
  | { type: "ready" }
  | { type: "failed"; reason: string }
  | { type: "result"; id: number; codes: Int32Array; width: number; codeLengths: Int32Array }
  | { type: "runFailed"; id: number; reason: string };

const port = parentPort!;
const { model, options } = workerData as StreamWorkerData;

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function run(session: OrtTypes.InferenceSession, request: RunRequest): Promise<StreamMessage> {
  const batch = request.lengths.length;
  const outputs = await session.run({
    [GRAPH_IO.mels]: new ort.Tensor("float32", request.mels, [batch, request.nMels, request.frames]),
    [GRAPH_IO.melLengths]: new ort.Tensor("int32", request.lengths, [batch]),
  });
  const codes = outputs[GRAPH_IO.codes]!; // [B, T2] int32
  const codeLengths = outputs[GRAPH_IO.codeLengths]!; // [B] int32
  // Copies out of onnxruntime's buffers, so that they can be transferred and the tensors freed.
  const message: StreamMessage = {
    type: "result",
    id: request.id,
    codes: Int32Array.from(codes.data as Int32Array),
    width: codes.dims[1]!,
    codeLengths: Int32Array.from(codeLengths.data as Int32Array),
  };
  codes.dispose();
  codeLengths.dispose();
  return message;
}

try {
  const session = await ort.InferenceSession.create(model as string, sessionOptions(options));
  // Forward passes run one at a time, in arrival order: onnxruntime-node's run blocks this
  // thread, and the pool sends a stream its next batch only after the previous answer.
  port.on("message", (request: RunRequest) => {
    void run(session, request).then(
      (reply) => port.postMessage(reply, reply.type === "result" ? [reply.codes.buffer as ArrayBuffer, reply.codeLengths.buffer as ArrayBuffer] : []),
      (error) => port.postMessage({ type: "runFailed", id: request.id, reason: reasonOf(error) } satisfies StreamMessage),
    );
  });
  port.postMessage({ type: "ready" } satisfies StreamMessage);
} catch (error) {
  port.postMessage({ type: "failed", reason: reasonOf(error) } satisfies StreamMessage);
}
