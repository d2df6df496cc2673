/**
 * A GraphRunner over one session on the calling thread, one forward pass at a time: the page's
 * runner (onnxruntime-web parallelises inside an operator with its own WebAssembly threads, and
 * refuses a second run on a session while one is in progress).
 */
import type { GraphRunner, OrtModule, OrtSession } from "./backend.js";
import { runOnHostTensors } from "./hostRun.js";
import type { Feeds, Fetched } from "./tensors.js";

export class SerialSessionRunner implements GraphRunner {
  readonly size = 1;
  private session: OrtSession | null;
  /** The pass in progress (or the last one); the next waits for it. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ort: OrtModule,
    session: OrtSession,
    private readonly source: string,
  ) {
    this.session = session;
  }

  run(feeds: Feeds, outputs: readonly string[]): Promise<Fetched> {
    const pass = this.tail.then(() => {
      if (!this.session) throw new Error(`${this.source}: the model's session is closed`);
      return runOnHostTensors(this.ort, this.session, feeds, outputs);
    });
    this.tail = pass.catch(() => undefined);
    return pass;
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    await this.tail;
    await session?.release();
  }
}
