/**
 * A pool of worker threads computing features, so that decoding and the front end overlap with
 * inference on the main thread. Requests are spread over workers by least outstanding work.
 */
import { Worker } from "node:worker_threads";
import type { FeatureRequest, FeatureResult } from "./featureJob.js";

interface PoolWorker {
  worker: Worker;
  outstanding: number;
}

export class FeaturePool {
  private readonly workers: PoolWorker[] = [];
  private readonly pending = new Map<number, { resolve: (r: FeatureResult) => void; owner: PoolWorker }>();
  private nextId = 0;

  private closing = false;

  constructor(size: number) {
    for (let i = 0; i < Math.max(1, size); i++) this.workers.push(this.spawn());
  }

  private spawn(): PoolWorker {
    const worker = new Worker(new URL("./featureWorker.js", import.meta.url));
    const entry: PoolWorker = { worker, outstanding: 0 };
    worker.on("message", (result: FeatureResult) => this.settle(result));
    worker.on("error", (error) => this.replace(entry, error));
    worker.on("exit", (code) => {
      if (!this.closing) this.replace(entry, new Error(`exited with code ${code}`));
    });
    return entry;
  }

  compute(request: Omit<FeatureRequest, "id">): Promise<FeatureResult> {
    const id = this.nextId++;
    const owner = this.workers.reduce((best, w) => (w.outstanding < best.outstanding ? w : best));
    owner.outstanding++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, owner });
      owner.worker.postMessage({ ...request, id });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private settle(result: FeatureResult): void {
    const entry = this.pending.get(result.id);
    if (!entry) return;
    this.pending.delete(result.id);
    entry.owner.outstanding--;
    entry.resolve(result);
  }

  /**
   * A crashed worker (e.g. out of memory on one huge file) fails only its outstanding requests,
   * instead of hanging the run, and is replaced by a fresh one.
   */
  private replace(owner: PoolWorker, error: Error): void {
    const index = this.workers.indexOf(owner);
    if (index < 0) return;
    this.workers[index] = this.spawn();
    for (const [id, entry] of this.pending) {
      if (entry.owner !== owner) continue;
      this.pending.delete(id);
      entry.resolve({ id, ok: false, error: `feature worker crashed: ${error.message}`, errorName: "WorkerError" });
    }
  }
}
