/** Worker thread entry: computes features for requests from the pool, transferring the mel buffer. */
import { parentPort } from "node:worker_threads";
import { computeFeatures, type FeatureRequest } from "./featureJob.js";

parentPort?.on("message", (request: FeatureRequest) => {
  void computeFeatures(request).then((result) => {
    const transfer = result.ok ? [result.mel.data.buffer as ArrayBuffer] : [];
    parentPort!.postMessage(result, transfer);
  });
});
