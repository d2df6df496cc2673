/**
 * FunCodec's own options, spelled as upstream's CLI: --bit_width (bits per second, the rows it
 * buys; the service's bit_width), --no_scale on decode (upstream's use_scale false) and its
 * codecs.txt line format (`--format funcodec`). The commands, help, service and provenance are
 * made from these (family/options.ts).
 */
import type { FamilyOption } from "../../family/options.js";

export const FUNCODEC_OPTIONS: readonly FamilyOption[] = [
  {
    name: "bit-width",
    type: "integer",
    placeholder: "B",
    help: [
      "FunCodec: bits per second, as upstream's CLI (rows = floor(B / bits per row);",
      "2000 → 8 rows of the 25 Hz models); not with --n_q. Lines then carry the",
      "utterance's normalisation \"scale\" beside \"code\", which decode uses",
    ],
    commands: ["extract"],
    into: { encode: "bitWidth" },
    excludes: "n-q",
    // Upstream takes any bit width (rows = floor(bit_width / bits per row), at least 1, at most all).
    query: { name: "bit_width", min: 1, max: () => Number.MAX_SAFE_INTEGER },
    provenance: { field: "bitWidth", label: "bit width" },
  },
  {
    name: "format",
    value: "funcodec",
    type: "string",
    help: ["funcodec (FunCodec models): FunCodec's codecs.txt lines \"key [[[row 0], ...]]\" (no scale: decodes at the normalised level)"],
    commands: ["extract"],
  },
  {
    name: "no-scale",
    type: "boolean",
    help: [
      "FunCodec: ignore the lines' \"scale\" and decode at the normalised level",
      "(upstream's use_scale false); lines without a scale always decode so",
    ],
    commands: ["decode"],
    into: { decode: "useScale", value: false },
  },
];
