/** Worker thread entry of the service's feature pool: decode + log-mel, the mel buffer transferred back. */
import { parentPort } from "node:worker_threads";
import { computeJobFeatures, serializeError, type FeatureJob } from "./requestFeatures.js";

export type WorkerRequest = FeatureJob & { id: number };

export type WorkerReply =
  | { id: number; ok: true; mel: { data: Float32Array; nMels: number; frames: number }; seconds: number }
  | { id: number; ok: false; error: ReturnType<typeof serializeError> };

parentPort?.on("message", (request: WorkerRequest) => {
  computeJobFeatures(request).then(
    ({ mel, seconds }) => {
      const reply: WorkerReply = { id: request.id, ok: true, mel, seconds };
      parentPort!.postMessage(reply, [mel.data.buffer as ArrayBuffer]);
    },
    (error: unknown) => {
      const reply: WorkerReply = { id: request.id, ok: false, error: serializeError(error) };
      parentPort!.postMessage(reply);
    },
  );
});
