/** The interface every model version implements. */
import type { ModelProto } from "../../onnx/types.js";
import type { GraphLayout } from "./tokenizerGraph.js";
import type { ModelVersion, S3Weights } from "./weights.js";

export interface ModelGraphBuilder {
  readonly version: ModelVersion;
  /** What distinguishes this version, for error messages and `--help`. */
  readonly description: string;
  /** Emits the ONNX graph (batched by default) with the weights in it. */
  build(weights: S3Weights, layout?: GraphLayout): ModelProto;
}
