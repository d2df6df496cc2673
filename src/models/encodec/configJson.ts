/**
 * An optional config.json beside an EnCodec checkpoint: upstream has none (its constructors
 * hard-code everything), so this reads the `constructor` object (EncodecModel._get_model's
 * arguments, as the conformance fixtures and a user's own trained model may give them) and the
 * segment `overlap`. Anything else in the file is ignored; a missing or mistyped field is a
 * ModelConfigError naming the file and field.
 */
import { ModelConfigError } from "../../errors.js";
import { describeValue } from "../../family/configText.js";
import type { EncodecFacts } from "./config.js";

function field<T>(raw: Record<string, unknown>, key: string, path: string, check: (v: unknown) => v is T, expected: string): T {
  const value = raw[key];
  if (!check(value)) throw new ModelConfigError(path, `"constructor.${key}" must be ${expected}, got ${describeValue(value)}`);
  return value;
}

const isPositiveInteger = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0 && v <= 1_000_000;
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
const isName = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 200;
const isNorm = (v: unknown): v is EncodecFacts["norm"] => v === "weight_norm" || v === "time_group_norm";
const isSegment = (v: unknown): v is number | null => v === null || (typeof v === "number" && v > 0 && v <= 3600);
const isBandwidths = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.length <= 64 && v.every((b) => typeof b === "number" && b > 0 && b <= 10_000);

/** The constructor facts of a parsed config.json; `path` names the file in errors. */
export function parseEncodecConfigJson(raw: unknown, path: string): EncodecFacts {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ModelConfigError(path, "expected a JSON object");
  const top = raw as Record<string, unknown>;
  const ctor = top["constructor"];
  if (typeof ctor !== "object" || ctor === null || Array.isArray(ctor)) {
    throw new ModelConfigError(path, `expected a "constructor" object (EncodecModel._get_model's arguments), got ${describeValue(ctor)}`);
  }
  const c = ctor as Record<string, unknown>;
  const overlap = top["overlap"] ?? 0.01;
  if (typeof overlap !== "number" || !(overlap >= 0 && overlap < 1)) throw new ModelConfigError(path, `"overlap" must be a number in [0, 1), got ${describeValue(overlap)}`);
  const audioChannels = field(c, "channels", path, isPositiveInteger, "1 or 2");
  if (audioChannels > 2) throw new ModelConfigError(path, `"constructor.channels" must be 1 or 2, got ${audioChannels}`);
  return {
    name: field(c, "name", path, isName, "the model's name"),
    sampleRate: field(c, "sample_rate", path, isPositiveInteger, "a sample rate in Hz"),
    audioChannels,
    causal: field(c, "causal", path, isBoolean, "true or false"),
    norm: field(c, "model_norm", path, isNorm, '"weight_norm" or "time_group_norm"'),
    normalize: field(c, "audio_normalize", path, isBoolean, "true or false"),
    segment: field(c, "segment", path, isSegment, "null or a duration in seconds"),
    overlap,
    targetBandwidths: field(c, "target_bandwidths", path, isBandwidths, "a list of bandwidths in kbps"),
  };
}
