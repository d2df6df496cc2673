/**
 * Worker thread entry of one session stream: opens an onnxruntime session on the batched graph,
 * then answers forward passes one at a time. Buffers travel by transfer, never by copy.
 * Protocol (see sessionStreams.ts): "open" → "ready" | "failed"; "run" → "result" | "runFailed".
 */
import { parentPort, workerData } from "node:worker_threads";
import type * as OrtTypes from "onnxruntime-node";
import { ort, sessionOptions, type RuntimeOptions } from "./session.js";
import { transferList, type Feeds, type Fetched, type HostTensor } from "./tensors.js";

export interface StreamWorkerData {
  model: string | Uint8Array;
  options: RuntimeOptions;
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
const { model, options } = workerData as StreamWorkerData;

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function run(session: OrtTypes.InferenceSession, request: RunRequest): Promise<StreamMessage> {
  const feeds: Record<string, OrtTypes.Tensor> = {};
  for (const [name, t] of Object.entries(request.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  const results = await session.run(feeds, request.outputs as string[]);
  const outputs: Fetched = {};
  for (const name of request.outputs) {
    const tensor = results[name]!;
    // Copied out of onnxruntime's buffers, so that they can be transferred and the tensors freed.
    const data = (tensor.data as HostTensor["data"]).slice();
    outputs[name] = { type: tensor.type as HostTensor["type"], data, dims: [...tensor.dims] };
    tensor.dispose();
  }
  return { type: "result", id: request.id, outputs };
}

try {
  const session = await ort.InferenceSession.create(model as string, sessionOptions(options));
  // Forward passes run one at a time, in arrival order: onnxruntime-node's run blocks this
  // thread, and the pool sends a stream its next batch only after the previous answer.
  port.on("message", (request: RunRequest) => {
    void run(session, request).then(
      (reply) => port.postMessage(reply, reply.type === "result" ? transferList(reply.outputs) : []),
      (error) => port.postMessage({ type: "runFailed", id: request.id, reason: reasonOf(error) } satisfies StreamMessage),
    );
  });
  port.postMessage({ type: "ready" } satisfies StreamMessage);
} catch (error) {
  port.postMessage({ type: "failed", reason: reasonOf(error) } satisfies StreamMessage);
}
