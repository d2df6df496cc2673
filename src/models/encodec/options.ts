/**
 * EnCodec's own option: --bandwidth in kbps, as upstream's `-b` and set_target_bandwidth (the
 * bandwidths a model lists: 1.5/3/6/12/24 at 24 kHz, 3/6/12/24 at 48 kHz; rows follow from it).
 * The commands, help, the service's `bandwidth` parameter and provenance are made from this.
 */
import { UsageError } from "../../errors.js";
import type { FamilyOption } from "../../family/options.js";

/** A bandwidth's text as a number of kbps; which ones a model takes, the model checks. */
function parseBandwidth(text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(value) || value <= 0) throw new UsageError(`--bandwidth must be a positive number of kbps (e.g. 1.5, 6, 24), got "${text}"`);
  return value;
}

export const ENCODEC_OPTIONS: readonly FamilyOption[] = [
  {
    name: "bandwidth",
    type: "string",
    placeholder: "KBPS",
    help: [
      "EnCodec: target bandwidth in kbps, as upstream's -b (24 kHz: 1.5, 3, 6, 12, 24;",
      "48 kHz: 3, 6, 12, 24); rows = the bandwidth's share of the codebooks. Default: all",
    ],
    commands: ["extract"],
    into: { encode: "bandwidth" },
    parse: parseBandwidth,
    excludes: "n-q",
    query: { name: "bandwidth", min: 0, max: () => 0, parse: parseBandwidth },
    provenance: { field: "bandwidth", label: "bandwidth (kbps)" },
  },
];
