/**
 * S3Tokenizer v3 (CosyVoice 3): the v2 block (rotary attention + FSMN memory) at 12 blocks, FSQ.
 * Its release differs from v2's in storage only (Constant-node weights, decomposed LayerNorm),
 * which the importer absorbs; the computation is the same graph.
 */
import type { ModelGraphBuilder } from "./modelBuilder.js";
import { buildTokenizerGraph } from "./tokenizerGraph.js";

export const v3Builder: ModelGraphBuilder = {
  version: "v3",
  description: "rotary attention with FSMN memory, 12 blocks, FSQ (3^8 codes)",
  build: (weights, layout) => buildTokenizerGraph(weights, "rotary", layout),
};
