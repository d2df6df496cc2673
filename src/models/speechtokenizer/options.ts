/**
 * SpeechTokenizer's own option: the first quantizer layer of the rows an encode returns
 * (upstream's `st`), which the service takes per request as first_codebook (family/options.ts).
 */
import type { FamilyOption } from "../../family/options.js";

export const SPEECHTOKENIZER_OPTIONS: readonly FamilyOption[] = [
  {
    name: "first-codebook",
    type: "integer",
    placeholder: "S",
    help: ["SpeechTokenizer: the first quantizer layer of the rows (upstream's st; default 0)"],
    commands: [],
    into: { encode: "firstCodebook" },
    query: { name: "first_codebook", min: 0, max: (model) => model.codebooks - 1 },
  },
];
