/** Worker thread entry of the service's feature pool: decode + the front end, the features' buffer transferred back. */
import { parentPort } from "node:worker_threads";
import { inputBuffer, type ModelInput } from "../family/frontEnd.js";
import { computeJobFeatures, serializeError, type FeatureJob } from "./requestFeatures.js";

export type WorkerRequest = FeatureJob & { id: number };

export type WorkerReply =
  | { id: number; ok: true; input: ModelInput; seconds: number }
  | { id: number; ok: false; error: ReturnType<typeof serializeError> };

parentPort?.on("message", (request: WorkerRequest) => {
  computeJobFeatures(request).then(
    ({ input, seconds }) => {
      const reply: WorkerReply = { id: request.id, ok: true, input, seconds };
      parentPort!.postMessage(reply, [inputBuffer(input)]);
    },
    (error: unknown) => {
      const reply: WorkerReply = { id: request.id, ok: false, error: serializeError(error) };
      parentPort!.postMessage(reply);
    },
  );
});
