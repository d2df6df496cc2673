/**
 * EnCodec's (a) and (d) on a loaded model, shared by the timed rounds (encodecBench.ts) and the
 * peak-memory child (childEncodec.ts), so both do the same work: (a) encodes every utterance of
 * the workload in one call at the model's top bandwidth (every layer; the model batches its 1 s
 * segments or whole utterances as it sees fit), (d) decodes those codes back to audio.
 */
import type { EncodecCodes, EncodecModel } from "../src/models/encodec/model.js";
import { secondsSince } from "./stats.js";

export async function encodeAll(model: EncodecModel, inputs: readonly Float32Array[]): Promise<{ seconds: number; codes: EncodecCodes[] }> {
  const start = performance.now();
  const codes = await model.encode(inputs);
  return { seconds: secondsSince(start), codes };
}

export async function decodeAll(model: EncodecModel, codes: readonly EncodecCodes[]): Promise<number> {
  const start = performance.now();
  await model.decode(codes);
  return secondsSince(start);
}
