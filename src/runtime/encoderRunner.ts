/**
 * Runs the batched tokenizer graph on mel views: packs them into padded batches planned by
 * length under a frame budget, runs the batches on the session streams (as many at once as there
 * are streams), and returns each view's codes cut to its code length.
 */
import { planBatches, type BatchLimits } from "../pipeline/batchPlan.js";
import { packBatch, type MelView } from "../pipeline/melView.js";
import type { SessionStreams } from "./sessionStreams.js";

export class EncoderRunner {
  constructor(
    private readonly streams: SessionStreams,
    private readonly nMels: number,
    private readonly limits: BatchLimits,
    /** Batches in flight at once: the number of streams asked for. */
    private readonly parallelism: number,
  ) {}

  /** Codes of every view, in the order given. */
  async encode(views: readonly MelView[], limits: BatchLimits = this.limits): Promise<Int32Array[]> {
    const results: Int32Array[] = new Array(views.length);
    const batches = planBatches(views.map((v) => v.frames), limits); // longest first
    let next = 0;
    // Each lane packs its next batch only when it is about to send it, so at most `parallelism`
    // packed copies exist at once whatever the number of batches.
    const lane = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const codes = await this.runBatch(batch.map((i) => views[i]!));
        batch.forEach((viewIndex, row) => {
          results[viewIndex] = codes[row]!;
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.parallelism, batches.length) }, lane));
    return results;
  }

  /** One forward pass over views packed into [B, M, Tmax]. */
  private async runBatch(views: readonly MelView[]): Promise<Int32Array[]> {
    const packed = packBatch(views, this.nMels); // [B, M, Tmax]
    const { codes, width, codeLengths } = await this.streams.run({
      mels: packed.data,
      lengths: Int32Array.from(views, (v) => v.frames), // [B]
      nMels: this.nMels,
      frames: packed.frames,
    }); // codes [B, width]
    return views.map((_, b) => codes.slice(b * width, b * width + codeLengths[b]!));
  }
}
