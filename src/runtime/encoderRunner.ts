/**
 * Runs the batched tokenizer graph on mel views: packs them into padded batches planned by
 * length under a frame budget, and returns each view's codes cut to its code length.
 */
import type * as OrtTypes from "onnxruntime-node";
import { GRAPH_IO } from "../models/tokenizerGraph.js";
import { planBatches, type BatchLimits } from "../pipeline/batchPlan.js";
import { packBatch, type MelView } from "../pipeline/melView.js";
import { ort } from "./session.js";

export class EncoderRunner {
  constructor(
    private readonly session: OrtTypes.InferenceSession,
    private readonly nMels: number,
    private readonly limits: BatchLimits,
  ) {}

  /** Codes of every view, in the order given. */
  async encode(views: readonly MelView[], limits: BatchLimits = this.limits): Promise<Int32Array[]> {
    const results: Int32Array[] = new Array(views.length);
    for (const batch of planBatches(views.map((v) => v.frames), limits)) {
      const codes = await this.runBatch(batch.map((i) => views[i]!));
      batch.forEach((viewIndex, row) => {
        results[viewIndex] = codes[row]!;
      });
    }
    return results;
  }

  /** One forward pass over views packed into [B, M, Tmax]. */
  private async runBatch(views: readonly MelView[]): Promise<Int32Array[]> {
    const packed = packBatch(views, this.nMels); // [B, M, Tmax]
    const lengths = Int32Array.from(views, (v) => v.frames); // [B]
    const outputs = await this.session.run({
      [GRAPH_IO.mels]: new ort.Tensor("float32", packed.data, [views.length, this.nMels, packed.frames]),
      [GRAPH_IO.melLengths]: new ort.Tensor("int32", lengths, [views.length]),
    });
    const codes = outputs[GRAPH_IO.codes]!; // [B, T2] int32
    const codeLengths = outputs[GRAPH_IO.codeLengths]!.data as Int32Array; // [B]
    const width = codes.dims[1]!;
    const data = codes.data as Int32Array;
    const rows = views.map((_, b) => data.slice(b * width, b * width + codeLengths[b]!));
    codes.dispose();
    outputs[GRAPH_IO.codeLengths]!.dispose();
    return rows;
  }
}
