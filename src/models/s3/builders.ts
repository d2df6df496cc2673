/** Version → graph builder. */
import type { ModelGraphBuilder } from "./modelBuilder.js";
import { v1Builder } from "./v1.js";
import { v2Builder } from "./v2.js";
import { v3Builder } from "./v3.js";
import type { ModelVersion } from "./weights.js";

export const MODEL_BUILDERS: Readonly<Record<ModelVersion, ModelGraphBuilder>> = {
  v1: v1Builder,
  v2: v2Builder,
  v3: v3Builder,
};

export type { ModelGraphBuilder } from "./modelBuilder.js";
export type { ModelDims, ModelVersion, S3Weights } from "./weights.js";
