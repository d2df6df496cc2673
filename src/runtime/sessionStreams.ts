/**
 * Session streams: several onnxruntime sessions of one graph, each in its own worker thread,
 * each running whole batches one after another. Any graph: feeds in, named outputs out.
 *
 * Why: on a CPU, onnxruntime splits every operator across its threads and waits for all of them
 * at the end of each one; the small operators between the matrix products (softmax, layer norm,
 * adds, gathers) and uneven splits leave threads idle. Two sessions with half the threads each,
 * on different batches, never wait for each other: measured 5-12 % more throughput than one
 * session with every thread on 2 cores (bench/). The cost is one more copy of the weights.
 * Running the sessions off the main thread also keeps the event loop free while the model runs
 * (onnxruntime-node's run blocks its calling thread).
 *
 * The first stream to open makes the pool usable: batches run on it at once, while the others
 * open one after another behind it and join as they become ready. Start-up is one session's, and
 * only one load's transient memory is live at a time. Opening them all at once was measured worse
 * on 2 cores: onnxruntime's weight packing is bound by page faults, and two sessions packing at
 * once delayed the first tokens of a released-size v2 from 3.4 s to 5.8 s (docs/benchmark.md).
 * The later streams open either in the background right away (ready before the batches come: a
 * service) or on demand, when a batch waits and every open stream is busy (a short job then never
 * opens them: its first batch runs alone, and its process exits without waiting for a session
 * that is still packing its weights, which no thread can interrupt).
 */
import type { Worker } from "node:worker_threads";
import { openFailure } from "./openFailure.js";
import { requireDevice, type RuntimeOptions } from "./session.js";
import type { OpenRequest, RunRequest, StreamMessage } from "./sessionWorker.js";
import { startSessionThread } from "./sessionThread.js";
import type { GraphRunner, LaterStreams } from "./backend.js";
import { transferList, type Feeds, type Fetched } from "./tensors.js";

interface Pending {
  request: Omit<RunRequest, "id" | "type">;
  resolve: (outputs: Fetched) => void;
  reject: (error: Error) => void;
}

interface Stream {
  worker: Worker;
  busy: Pending | null;
}

export class SessionStreams implements GraphRunner {
  private readonly ready: Stream[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;
  /** Why a stream could not open or stopped, for `failures`. */
  private readonly problems: string[] = [];
  /** The next stream to open (0-based); `count` once every stream opened or one could not. */
  private nextStream = 0;
  /** True while a later stream is opening (they open one at a time). */
  private opening = false;

  private constructor(
    private readonly model: string | Uint8Array,
    private readonly options: RuntimeOptions,
    private readonly source: string,
    private readonly count: number,
    private readonly extra: OpenRequest["extra"],
    private readonly later: LaterStreams,
    private readonly beforeOpen: (stream: number) => Promise<void>,
  ) {}

  /**
   * Opens up to `count` streams of `model` (a file path or ONNX bytes); resolves once the first
   * is ready, which runs batches while the others open (`settings.later`: in the background, the
   * default, or on demand). Throws the typed open error (DeviceUnavailableError,
   * ModelFormatError) when the first cannot open; a later stream that cannot open (e.g. out of
   * memory) is left out, and so are the ones after it. `settings.beforeOpen(i)` is awaited before
   * stream i (0-based) starts opening (tests hold a later stream back with it).
   */
  static async open(
    model: string | Uint8Array,
    options: RuntimeOptions,
    source: string,
    count: number,
    extra?: OpenRequest["extra"],
    settings: { later?: LaterStreams; beforeOpen?: (stream: number) => Promise<void> } = {},
  ): Promise<SessionStreams> {
    requireDevice(options);
    const streams = new SessionStreams(model, options, source, count, extra, settings.later ?? "background", settings.beforeOpen ?? (async () => undefined));
    await streams.openOne(streams.nextStream++);
    if (streams.later === "background") streams.openLater();
    return streams;
  }

  /** Streams open now. */
  get size(): number {
    return this.ready.length;
  }

  /** Reasons streams failed to open or stopped, oldest first. */
  get failures(): readonly string[] {
    return this.problems;
  }

  /**
   * Runs the graph once on the next free stream: `feeds` by input name (their buffers are
   * transferred: the caller must not reuse them), answering the named `outputs`.
   */
  run(feeds: Feeds, outputs: readonly string[]): Promise<Fetched> {
    if (this.closed) return Promise.reject(new Error(`${this.source}: the model's sessions are closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { feeds, outputs }, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const streams = this.ready.splice(0);
    for (const pending of this.queue.splice(0)) pending.reject(new Error(`${this.source}: the model's sessions were closed`));
    await Promise.all(streams.map((s) => s.worker.terminate()));
  }

  /** Starts stream `index`'s thread and waits for its session; true when it joined the pool. */
  /**
   * Opens the later streams one after another: all of them ("background"), or while batches wait
   * for a stream ("on-demand"; dispatch() starts this again when one waits later).
   */
  private openLater(): void {
    if (this.opening || this.closed || this.nextStream >= this.count) return;
    this.opening = true;
    void (async () => {
      while (!this.closed && this.nextStream < this.count) {
        if (!(await this.openOne(this.nextStream++))) {
          this.nextStream = this.count; // out of memory or threads: the next would fail alike
          break;
        }
        if (this.later === "on-demand" && this.queue.length === 0) break;
      }
      this.opening = false;
    })();
  }

  private async openOne(index: number): Promise<boolean> {
    const first = index === 0;
    await this.beforeOpen(index);
    if (!first && this.closed) return false;
    let worker: Worker;
    try {
      worker = startSessionThread();
    } catch (error) {
      // No thread could start (e.g. the process is out of them): as a session that cannot open.
      const reason = `no session thread could start: ${error instanceof Error ? error.message : String(error)}`;
      if (first) throw openFailure(this.options, this.source, reason, error);
      this.problems.push(reason);
      return false;
    }
    // A later stream still loading must not keep a finished process alive (a one-file run would
    // wait for it to exit); the first one is awaited by load() and has to.
    if (first) worker.ref();
    else worker.unref();
    const request: OpenRequest = { type: "open", model: this.model, options: this.options, ...(this.extra ? { extra: this.extra } : {}) };
    worker.postMessage(request);
    return new Promise((resolve, reject) => {
      let failed = false;
      const fail = (reason: string, cause?: unknown) => {
        if (failed) return; // an "error" is followed by an "exit"
        failed = true;
        worker.off("exit", onExit);
        void worker.terminate();
        if (first) {
          reject(openFailure(this.options, this.source, reason, cause));
        } else {
          this.problems.push(reason);
          resolve(false);
        }
      };
      worker.once("error", (error) => fail(error.message, error));
      // A thread that dies without a word (killed, out of memory) must not leave open() waiting.
      function onExit(code: number): void {
        fail(`the session thread exited with code ${code} before its session opened`);
      }
      worker.once("exit", onExit);
      worker.once("message", (message: StreamMessage) => {
        worker.removeAllListeners("error");
        worker.off("exit", onExit);
        if (message.type !== "ready") {
          fail(message.type === "failed" ? message.reason : `unexpected ${message.type}`);
          return;
        }
        if (this.closed) {
          void worker.terminate();
          resolve(false);
          return;
        }
        this.adopt(worker);
        resolve(true);
      });
    });
  }

  private adopt(worker: Worker): void {
    const stream: Stream = { worker, busy: null };
    worker.on("message", (message: StreamMessage) => this.settle(stream, message));
    worker.on("error", (error) => this.lose(stream, error.message));
    worker.on("exit", (code) => this.lose(stream, `exited with code ${code}`));
    // An idle stream must not keep a finished process alive; a busy one does.
    worker.unref();
    this.ready.push(stream);
    this.dispatch();
  }

  private dispatch(): void {
    for (const stream of this.ready) {
      if (this.queue.length === 0) return;
      if (stream.busy) continue;
      const pending = this.queue.shift()!;
      stream.busy = pending;
      stream.worker.ref();
      const request: RunRequest = { type: "run", id: this.nextId++, ...pending.request };
      stream.worker.postMessage(request, transferList(request.feeds));
    }
    // Every open stream is busy and a batch waits: time for another stream.
    if (this.later === "on-demand" && this.queue.length > 0) this.openLater();
  }

  private settle(stream: Stream, message: StreamMessage): void {
    const pending = stream.busy;
    stream.busy = null;
    stream.worker.unref();
    if (pending) {
      if (message.type === "result") {
        pending.resolve(message.outputs);
      } else {
        pending.reject(new Error(`${this.source}: onnxruntime failed: ${message.type === "runFailed" ? message.reason : message.type}`));
      }
    }
    this.dispatch();
  }

  /** A stream's thread died (e.g. out of memory): its batch fails; the others go on. */
  private lose(stream: Stream, reason: string): void {
    const index = this.ready.indexOf(stream);
    if (index < 0) return;
    this.ready.splice(index, 1);
    if (this.closed) return;
    this.problems.push(reason);
    stream.busy?.reject(new Error(`${this.source}: a model session stopped: ${reason}`));
    if (this.ready.length === 0) {
      for (const pending of this.queue.splice(0)) pending.reject(new Error(`${this.source}: no model session left: ${reason}`));
    }
  }
}
