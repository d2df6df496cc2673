/**
 * Tensors as they cross to and from a session thread: plain typed arrays with their shape, so
 * that their buffers can be transferred. The runtime runs any graph: feeds in by input name,
 * named outputs out; which names a graph has is its family's business.
 */
export type TensorType = "float32" | "int32" | "int64";

export interface HostTensor {
  type: TensorType;
  data: Float32Array | Int32Array | BigInt64Array;
  dims: readonly number[];
}

/** Input name → tensor. */
export type Feeds = Record<string, HostTensor>;

/** Output name → tensor. */
export type Fetched = Record<string, HostTensor>;

/** The buffers of these tensors, for a transfer list. */
export function transferList(tensors: Record<string, HostTensor>): ArrayBuffer[] {
  return Object.values(tensors).map((t) => t.data.buffer as ArrayBuffer);
}
