/**
 * A pool of worker threads running one script: each request goes to the worker with the least
 * outstanding work and is answered by the reply carrying its id. A worker that crashes (e.g. out
 * of memory on one huge input) fails only its own requests and is replaced. Idle workers do not
 * keep the process alive. Shared by the corpus job's and the service's feature workers.
 */
import { Worker } from "node:worker_threads";

interface PoolWorker {
  worker: Worker;
  outstanding: number;
}

interface Waiting<Reply> {
  owner: PoolWorker;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

export class WorkerPool<Request extends object, Reply extends { id: number }> {
  private readonly workers: PoolWorker[] = [];
  private readonly waiting = new Map<number, Waiting<Reply>>();
  private nextId = 0;
  private closing = false;

  constructor(
    private readonly script: URL,
    size: number,
  ) {
    for (let i = 0; i < size; i++) this.workers.push(this.spawn());
  }

  get size(): number {
    return this.workers.length;
  }

  /** Requests handed to workers and not answered yet. */
  get outstanding(): number {
    return this.waiting.size;
  }

  /** Sends `request` (with an `id` added) to a worker; `transfer` moves buffers instead of copying. */
  run(request: Request, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const id = this.nextId++;
    const owner = this.workers.reduce((best, w) => (w.outstanding < best.outstanding ? w : best));
    if (owner.outstanding++ === 0) owner.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { owner, resolve, reject });
      owner.worker.postMessage({ ...request, id }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private spawn(): PoolWorker {
    const worker = new Worker(this.script);
    const entry: PoolWorker = { worker, outstanding: 0 };
    worker.on("message", (reply: Reply) => this.settle(reply));
    worker.on("error", (error) => this.replace(entry, error));
    worker.on("exit", (code) => {
      if (!this.closing) this.replace(entry, new Error(`exited with code ${code}`));
    });
    // Idle workers must not keep a finished process alive; a busy one does (ref'd in run()).
    worker.unref();
    return entry;
  }

  private settle(reply: Reply): void {
    const entry = this.waiting.get(reply.id);
    if (!entry) return;
    this.waiting.delete(reply.id);
    if (--entry.owner.outstanding === 0) entry.owner.worker.unref();
    entry.resolve(reply);
  }

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
