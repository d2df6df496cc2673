/**
 * Feature workers of the corpus job, so that decoding and the front end overlap with inference
 * on the main thread. A crashed worker's utterances come back as failures, not as a hung run.
 */
import { WorkerPool } from "../pipeline/workerPool.js";
import type { FeatureRequest, FeatureResult } from "./featureJob.js";

export class FeaturePool {
  private readonly pool: WorkerPool<Omit<FeatureRequest, "id">, FeatureResult>;

  constructor(size: number) {
    this.pool = new WorkerPool(new URL("./featureWorker.js", import.meta.url), Math.max(1, size));
  }

  /** Worker threads in the pool. */
  get size(): number {
    return this.pool.size;
  }

  compute(request: Omit<FeatureRequest, "id">): Promise<FeatureResult> {
    return this.pool.run(request).catch((error: Error) => ({ id: -1, ok: false as const, error: error.message, errorName: "WorkerError" }));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
