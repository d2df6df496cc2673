/**
 * Runs the batched tokenizer graph on mel views: packs them into padded batches planned by
 * length under a frame budget, runs the batches on the session streams (as many at once as there
 * are streams), and returns each view's codes cut to its code length.
 */
import { planBatches, type BatchLimits } from "../../pipeline/batchPlan.js";
import { packBatch, type MelView } from "./melView.js";
import type { GraphRunner } from "../../runtime/backend.js";
import { GRAPH_IO } from "./tokenizerGraph.js";

/** One padded batch for the model. */
export interface BatchInput {
  /** [batch, nMels, frames], transferred to the stream (the caller must not reuse it). */
  mels: Float32Array;
  /** [batch] mel frames per row. */
  lengths: Int32Array;
  nMels: number;
  frames: number;
}

/** The model's answer for one batch. */
export interface BatchCodes {
  /** [batch, width] int32, 0 past each row's length. */
  codes: Int32Array;
  width: number;
  /** [batch] */
  codeLengths: Int32Array;
}

/** One forward pass of the batched S3 graph on a session stream: its I/O names are GRAPH_IO's. */
export async function runMelBatch(streams: GraphRunner, input: BatchInput): Promise<BatchCodes> {
  const batch = input.lengths.length;
  const outputs = await streams.run(
    {
      [GRAPH_IO.mels]: { type: "float32", data: input.mels, dims: [batch, input.nMels, input.frames] },
      [GRAPH_IO.melLengths]: { type: "int32", data: input.lengths, dims: [batch] },
    },
    [GRAPH_IO.codes, GRAPH_IO.codeLengths],
  );
  const codes = outputs[GRAPH_IO.codes]!; // [B, T2] int32
  const codeLengths = outputs[GRAPH_IO.codeLengths]!; // [B] int32
  return { codes: codes.data as Int32Array, width: codes.dims[1]!, codeLengths: codeLengths.data as Int32Array };
}

export class EncoderRunner {
  constructor(
    private readonly streams: GraphRunner,
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
    const { codes, width, codeLengths } = await runMelBatch(this.streams, {
      mels: packed.data,
      lengths: Int32Array.from(views, (v) => v.frames), // [B]
      nMels: this.nMels,
      frames: packed.frames,
    }); // codes [B, width]
    return views.map((_, b) => codes.slice(b * width, b * width + codeLengths[b]!));
  }
}
