/**
 * Decoding and log-mel of request bodies in worker threads. onnxruntime-node runs inference
 * synchronously on the main thread, so features computed there would wait for (and delay) every
 * forward pass; in workers they are ready when the next group starts. Size 0 computes inline on
 * the calling thread (simplest, and fine for light load).
 *
 * Not the extraction FeaturePool: that one reads files named in a list, and the service must never
 * open a path a request names; this one only ever sees the bytes of a body.
 */
import { WorkerPool } from "../pipeline/workerPool.js";
import { computeJobFeatures, reviveError, type FeatureJob, type JobFeatures } from "./requestFeatures.js";
import type { WorkerReply, WorkerRequest } from "./featureWorker.js";

export class RequestFeaturePool {
  private readonly pool: WorkerPool<Omit<WorkerRequest, "id">, WorkerReply> | null;

  constructor(size: number) {
    this.pool = size > 0 ? new WorkerPool(new URL("./featureWorker.js", import.meta.url), size) : null;
  }

  get size(): number {
    return this.pool?.size ?? 0;
  }

  /** Jobs handed to workers and not answered yet. */
  get outstanding(): number {
    return this.pool?.outstanding ?? 0;
  }

  /**
   * Features of one body. With workers the bytes are copied to the worker, or with `transfer` moved
   * there (no copy; `job.bytes` is unusable afterwards, and is copied anyway unless it spans its
   * whole ArrayBuffer: never detach memory shared with other buffers, such as Node's Buffer pool).
   */
  async compute(job: FeatureJob, transfer = false): Promise<JobFeatures> {
    if (this.pool === null) return computeJobFeatures(job);
    const { bytes } = job;
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    // Otherwise a fresh copy is moved (new Uint8Array copies; Buffer#slice would not).
    const payload = transfer && whole ? bytes : new Uint8Array(bytes);
    const reply = await this.pool.run({ ...job, bytes: payload }, [payload.buffer as ArrayBuffer]);
    if (!reply.ok) throw reviveError(reply.error);
    return { input: reply.input, seconds: reply.seconds };
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
