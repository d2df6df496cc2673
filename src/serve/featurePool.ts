/**
 * Decoding and log-mel of request bodies in worker threads. onnxruntime-node runs inference
 * synchronously on the main thread, so features computed there would wait for (and delay) every
 * forward pass; in workers they are ready when the next group starts. Size 0 computes inline on
 * the calling thread (simplest, and fine for light load).
 *
 * Not the extraction FeaturePool: that one reads files named in a list, and the service must never
 * open a path a request names; this one only ever sees the bytes of a body.
 */
import { Worker } from "node:worker_threads";
import { computeJobFeatures, reviveError, type FeatureJob, type JobFeatures } from "./requestFeatures.js";
import type { WorkerReply, WorkerRequest } from "./featureWorker.js";

interface PoolWorker {
  worker: Worker;
  outstanding: number;
}

interface Waiting {
  owner: PoolWorker;
  resolve: (features: JobFeatures) => void;
  reject: (error: unknown) => void;
}

export class RequestFeaturePool {
  private readonly workers: PoolWorker[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private closing = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.workers.push(this.spawn());
  }

  get size(): number {
    return this.workers.length;
  }

  /** Jobs handed to workers and not answered yet. */
  get outstanding(): number {
    return this.waiting.size;
  }

  /**
   * Features of one body. With workers the bytes are copied to the worker, or with `transfer` moved
   * there (no copy; `job.bytes` is unusable afterwards, and is copied anyway unless it spans its
   * whole ArrayBuffer: never detach memory shared with other buffers, such as Node's Buffer pool).
   */
  compute(job: FeatureJob, transfer = false): Promise<JobFeatures> {
    if (this.workers.length === 0) return computeJobFeatures(job);
    const id = this.nextId++;
    const owner = this.workers.reduce((best, w) => (w.outstanding < best.outstanding ? w : best));
    if (owner.outstanding++ === 0) owner.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { owner, resolve, reject });
      const request: WorkerRequest = { ...job, id };
      const { bytes } = job;
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
      // Otherwise a fresh copy is moved (new Uint8Array copies; Buffer#slice would not).
      const payload = transfer && whole ? bytes : new Uint8Array(bytes);
      owner.worker.postMessage({ ...request, bytes: payload }, [payload.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private spawn(): PoolWorker {
    const worker = new Worker(new URL("./featureWorker.js", import.meta.url));
    const entry: PoolWorker = { worker, outstanding: 0 };
    worker.on("message", (reply: WorkerReply) => this.settle(reply));
    worker.on("error", (error) => this.replace(entry, error));
    worker.on("exit", (code) => {
      if (!this.closing) this.replace(entry, new Error(`exited with code ${code}`));
    });
    // Idle workers must not keep a finished process alive; a busy one does (ref'd in compute()).
    worker.unref();
    return entry;
  }

  private settle(reply: WorkerReply): void {
    const entry = this.waiting.get(reply.id);
    if (!entry) return;
    this.waiting.delete(reply.id);
    if (--entry.owner.outstanding === 0) entry.owner.worker.unref();
    if (reply.ok) entry.resolve({ mel: reply.mel, seconds: reply.seconds });
    else entry.reject(reviveError(reply.error));
  }

  /** A crashed worker (out of memory on a huge body) fails only its own jobs and is replaced. */
  private replace(owner: PoolWorker, error: Error): void {
    const index = this.workers.indexOf(owner);
    if (index < 0) return;
    this.workers[index] = this.spawn();
    for (const [id, entry] of this.waiting) {
      if (entry.owner !== owner) continue;
      this.waiting.delete(id);
      entry.reject(new Error(`feature worker crashed: ${error.message}`));
    }
  }
}
