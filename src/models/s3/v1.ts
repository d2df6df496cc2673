/** S3Tokenizer v1 (50 Hz and 25 Hz releases): position table from the file, VQ codebook. */
import type { ModelGraphBuilder } from "./modelBuilder.js";
import { buildTokenizerGraph } from "./tokenizerGraph.js";

export const v1Builder: ModelGraphBuilder = {
  version: "v1",
  description: "Whisper-style encoder with a learned position table and a VQ codebook",
  build: (weights, layout) => buildTokenizerGraph(weights, "table", layout),
};
