/** The interface every model version implements. */
import type { ModelProto } from "../onnx/types.js";
import type { ModelVersion, S3Weights } from "./weights.js";

export interface ModelGraphBuilder {
  readonly version: ModelVersion;
  /** What distinguishes this version, for error messages and `--help`. */
  readonly description: string;
  /** Emits the batched ONNX graph with the weights as initializers. */
  build(weights: S3Weights): ModelProto;
}
