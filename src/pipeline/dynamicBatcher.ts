/**
 * Dynamic batching for callers that produce utterances one at a time (an HTTP service, a data
 * loader): utterances submitted within `maxWaitMs` of each other go through the model together,
 * up to `maxGroupFrames` frames (the engine's measure of an item) per group, through the engine's
 * own batching (for S3: windows for long audio, length-sorted batches under its frame budget). As
 * many groups run at once as the engine has session streams, so that no stream idles while a
 * group's last batch finishes;
 * the next group gathers while they run. Pending work can be cancelled with an AbortSignal until
 * its group starts.
 */
import { TokenizerError } from "../errors.js";
import type { MelSpectrogram } from "../features/logMel.js";

/**
 * What the batcher runs groups on: any model that takes a group of items at once (an
 * S3Tokenizer on mel spectrograms, a family's model on samples or its front end's features).
 */
export interface BatchEngine<I, O> {
  /** Groups run at once. */
  readonly parallelism: number;
  /** An item's size in the unit `maxGroupFrames` counts. */
  groupCost(item: I): number;
  /** What one forward pass holds, in groupCost's unit (the default group is GROUP_PASSES of them). */
  readonly passCost: number;
  /** The results of a group, in order. */
  encodeGroup(items: readonly I[]): Promise<O[]>;
}

export interface DynamicBatcherOptions {
  /** Longest a request waits for company before its group starts (default 10 ms). */
  maxWaitMs?: number;
  /** Most frames (the engine's groupCost unit) gathered into one group (default: defaultGroupFrames(engine)). */
  maxGroupFrames?: number;
  /** Most requests waiting (not yet running); more are refused with QueueFullError. */
  maxQueue?: number;
}

/**
 * Forward passes' worth of frames one group gathers: the batch planner then has lengths to choose
 * from when it fills each pass. The one statement of the rule; the service and the corpus job use it.
 */
export const GROUP_PASSES = 4;

/** The default group size: GROUP_PASSES × what one of the engine's forward passes holds. */
export function defaultGroupFrames(engine: Pick<BatchEngine<unknown, unknown>, "passCost">): number {
  return engine.passCost * GROUP_PASSES;
}

/** The queue is full: retry later. */
export class QueueFullError extends TokenizerError {
  constructor(limit: number) {
    super("QUEUE_FULL", `the request queue is full (${limit} waiting); retry later`);
  }
}

/** The caller gave up (aborted) before its utterance reached the model. */
export class RequestCancelledError extends TokenizerError {
  constructor() {
    super("CANCELLED", "the request was cancelled before it was processed");
  }
}

export interface BatcherStats {
  /** Groups run so far. */
  groups: number;
  /** Utterances per group, for each group run (latest last, bounded). */
  groupSizes: number[];
  waiting: number;
  running: number;
}

interface Pending<I, O> {
  item: I;
  cost: number;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
  enqueuedAt: number;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export type GroupListener = (size: number, frames: number) => void;

/** Mel spectrograms in, codes out by default: what the S3Tokenizer batches. */
export class DynamicBatcher<I = MelSpectrogram, O = Int32Array> {
  private readonly waiting: Pending<I, O>[] = [];
  /** Utterances in running groups. */
  private running = 0;
  private runningGroups = 0;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];
  private readonly maxWaitMs: number;
  readonly maxGroupFrames: number;
  private readonly maxQueue: number;
  private readonly listeners: GroupListener[] = [];
  groups = 0;

  constructor(
    private readonly engine: BatchEngine<I, O>,
    options: DynamicBatcherOptions = {},
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 10;
    this.maxGroupFrames = options.maxGroupFrames ?? defaultGroupFrames(engine);
    this.maxQueue = options.maxQueue ?? Infinity;
  }

  /** Called with the size of every group that starts (for metrics). */
  onGroup(listener: GroupListener): void {
    this.listeners.push(listener);
  }

  get queueDepth(): number {
    return this.waiting.length;
  }

  get inFlight(): number {
    return this.running;
  }

  /** The result of one item (an utterance), batched with whatever else arrives meanwhile. */
  submit(item: I, signal?: AbortSignal): Promise<O> {
    if (signal?.aborted) return Promise.reject(new RequestCancelledError());
    if (this.waiting.length >= this.maxQueue) return Promise.reject(new QueueFullError(this.maxQueue));
    return new Promise((resolve, reject) => {
      const pending: Pending<I, O> = { item, cost: this.engine.groupCost(item), resolve, reject, enqueuedAt: Date.now(), signal };
      if (signal) {
        pending.onAbort = () => {
          const index = this.waiting.indexOf(pending);
          if (index < 0) return; // already running: its result is simply not used
          this.waiting.splice(index, 1);
          reject(new RequestCancelledError());
          this.notifyIdle();
        };
        signal.addEventListener("abort", pending.onAbort, { once: true });
      }
      this.waiting.push(pending);
      this.schedule();
    });
  }

  /** Resolves when nothing is waiting or running (for graceful shutdown). */
  idle(): Promise<void> {
    if (this.waiting.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.runningGroups >= this.engine.parallelism || this.waiting.length === 0) return;
    const frames = this.waiting.reduce((sum, p) => sum + p.cost, 0);
    const waited = Date.now() - this.waiting[0]!.enqueuedAt;
    if (frames >= this.maxGroupFrames || waited >= this.maxWaitMs) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.runGroup();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, this.maxWaitMs - waited);
    }
  }

  private async runGroup(): Promise<void> {
    const group: Pending<I, O>[] = [];
    let frames = 0;
    while (this.waiting.length > 0 && (group.length === 0 || frames + this.waiting[0]!.cost <= this.maxGroupFrames)) {
      const next = this.waiting.shift()!;
      if (next.signal && next.onAbort) next.signal.removeEventListener("abort", next.onAbort);
      group.push(next);
      frames += next.cost;
    }
    this.running += group.length;
    this.runningGroups++;
    this.groups++;
    for (const listener of this.listeners) listener(group.length, frames);
    this.schedule(); // a free stream takes what is left now rather than after this group
    try {
      const results = await this.engine.encodeGroup(group.map((p) => p.item));
      group.forEach((p, i) => p.resolve(results[i]!));
    } catch (error) {
      for (const p of group) p.reject(error);
    } finally {
      this.running -= group.length;
      this.runningGroups--;
      this.notifyIdle();
      this.schedule();
    }
  }

  private notifyIdle(): void {
    if (this.waiting.length > 0 || this.running > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
