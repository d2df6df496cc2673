/**
 * The service's batching engine: each utterance carries its request's encode options, and a
 * group runs one model call per distinct set of options, so requests asking for different rows
 * (or bit widths) share a group's turn but never a forward pass with the wrong options.
 */
import { modelEngine, type ModelInput } from "../family/frontEnd.js";
import type { Codes, SpeechTokenizerModel } from "../family/types.js";
import type { BatchEngine } from "../pipeline/dynamicBatcher.js";
import { encodeOptionsKey, type ServiceEncodeOptions } from "./encodeQuery.js";

/** One utterance for the model with the options its request gave. */
export interface OptionedInput {
  input: ModelInput;
  options: ServiceEncodeOptions;
}

export function optionedEngine(model: SpeechTokenizerModel): BatchEngine<OptionedInput, Codes> {
  const plain = modelEngine(model);
  return {
    parallelism: plain.parallelism,
    passCost: plain.passCost,
    groupCost: (item) => plain.groupCost(item.input),
    async encodeGroup(items) {
      const byOptions = new Map<string, number[]>(); // options key -> indices into items
      items.forEach((item, i) => {
        const key = encodeOptionsKey(item.options);
        byOptions.set(key, [...(byOptions.get(key) ?? []), i]);
      });
      const results: Codes[] = new Array(items.length);
      // One after another: the group holds one of the model's streams, as a single call would.
      for (const indices of byOptions.values()) {
        const engine = modelEngine(model, items[indices[0]!]!.options);
        const codes = await engine.encodeGroup(indices.map((i) => items[i]!.input));
        indices.forEach((i, j) => (results[i] = codes[j]!));
      }
      return results;
    },
  };
}
