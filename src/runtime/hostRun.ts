/**
 * One forward pass of a session on host tensors (plain typed arrays with their shapes): what a
 * Node session thread and a page's session both do, with whichever onnxruntime package opened
 * the session.
 */
import type { OrtModule, OrtSession, OrtTensor } from "./backend.js";
import type { Feeds, Fetched, HostTensor } from "./tensors.js";

export async function runOnHostTensors(ort: OrtModule, session: OrtSession, feeds: Feeds, outputs: readonly string[]): Promise<Fetched> {
  const inputs: Record<string, OrtTensor> = {};
  for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type, t.data, t.dims);
  const results = await session.run(inputs, outputs as string[]);
  const fetched: Fetched = {};
  for (const name of outputs) {
    const tensor = results[name]!;
    // Copied out of onnxruntime's buffers, so that they can be transferred and the tensors freed.
    const data = (tensor.data as HostTensor["data"]).slice();
    fetched[name] = { type: tensor.type as HostTensor["type"], data, dims: [...tensor.dims] };
    tensor.dispose();
  }
  return fetched;
}
