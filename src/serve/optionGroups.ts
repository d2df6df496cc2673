/**
 * The service's batching engine: each utterance carries its request's encode options, and a
 * group runs one model call per distinct set of options, so requests asking for different rows
 * (or bit widths) share a group's turn but never a forward pass with the wrong options. A call
 * that fails is retried one utterance at a time, so a request the model refuses (FunCodec's
 * longest input, say) fails alone instead of taking the rest of its group with it.
 */
import { modelEngine, type ModelInput } from "../family/frontEnd.js";
import type { Codes, TokenizerModel } from "../family/types.js";
import type { BatchEngine } from "../pipeline/dynamicBatcher.js";
import { encodeOptionsKey, type ServiceEncodeOptions } from "./encodeQuery.js";

/** One utterance for the model with the options its request gave. */
export interface OptionedInput {
  input: ModelInput;
  options: ServiceEncodeOptions;
}

/** One utterance's codes, or the error of encoding it (alone). */
export type ItemResult = { ok: true; codes: Codes } | { ok: false; error: unknown };

export function optionedEngine(model: TokenizerModel): BatchEngine<OptionedInput, ItemResult> {
  const plain = modelEngine(model);
  /** Outcomes of `items` (sharing one set of options), in order. */
  const run = async (items: readonly OptionedInput[]): Promise<ItemResult[]> => {
    const engine = modelEngine(model, items[0]!.options);
    try {
      const codes = await engine.encodeGroup(items.map((item) => item.input));
      return codes.map((c) => ({ ok: true, codes: c }));
    } catch (error) {
      if (items.length === 1) return [{ ok: false, error }];
      const alone: ItemResult[] = [];
      for (const item of items) alone.push(...(await run([item])));
      return alone;
    }
  };
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
      const results: ItemResult[] = new Array(items.length);
      // One after another: the group holds one of the model's streams, as a single call would.
      for (const indices of byOptions.values()) {
        const outcomes = await run(indices.map((i) => items[i]!));
        indices.forEach((i, j) => (results[i] = outcomes[j]!));
      }
      return results;
    },
  };
}
