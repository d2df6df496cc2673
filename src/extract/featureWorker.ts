/** Worker thread entry: computes features for requests from the pool, transferring the features' buffer. */
import { parentPort } from "node:worker_threads";
import { inputBuffer } from "../family/frontEnd.js";
import { computeFeatures, type FeatureRequest } from "./featureJob.js";

parentPort?.on("message", (request: FeatureRequest) => {
  void computeFeatures(request).then((result) => {
    const transfer = result.ok ? [inputBuffer(result.input)] : [];
    parentPort!.postMessage(result, transfer);
  });
});
