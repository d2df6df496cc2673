/** S3Tokenizer v2 (CosyVoice 2): rotary attention with FSMN memory, FSQ with 3^8 codes. */
import type { ModelGraphBuilder } from "./modelBuilder.js";
import { buildTokenizerGraph } from "./tokenizerGraph.js";

export const v2Builder: ModelGraphBuilder = {
  version: "v2",
  description: "rotary attention with FSMN memory, 6 blocks, FSQ (3^8 codes)",
  build: (weights, layout) => buildTokenizerGraph(weights, "rotary", layout),
};
