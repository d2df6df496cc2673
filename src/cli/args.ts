/**
 * The commands' shared flags (the batch budget, the hub's flags, --mode); parsing itself is
 * src/flags/parse.ts, re-exported here for the commands.
 */
import type { ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.js";
import type { HubOptions } from "../hub/options.js";

export { integerFlag, normalizeFlag, parseFlags, requireFlag, type FlagValues } from "../flags/parse.js";
import { integerFlag, type FlagValues } from "../flags/parse.js";

/**
 * The batch budget, one option of the extraction and the service, in the model's own unit
 * (BatchPolicy: mel frames for S3, samples for FunCodec, ...); --max_frames is the extraction's
 * name of old, still taken (and said to be deprecated in help) by both commands.
 */
export const BATCH_BUDGET_FLAGS = {
  "max-batch-frames": { type: "string" },
  "max-frames": { type: "string" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

/** The deprecated name of the batch budget flag, as help names it. */
export const BATCH_BUDGET_ALIAS_HELP = "--max_frames F is a deprecated name of this flag, still taken";

/** --max_batch_frames (or its old name --max_frames); undefined: the model's per-device default. */
export function batchBudgetFlag(values: FlagValues): number | undefined {
  if (values["max-batch-frames"] !== undefined && values["max-frames"] !== undefined) {
    throw new UsageError("--max_batch_frames and --max_frames (its deprecated name): give one of them, not both");
  }
  return integerFlag(values, "max-batch-frames") ?? integerFlag(values, "max-frames");
}

/** The model-cache flags every command that takes --model accepts. */
export const HUB_FLAGS = {
  registry: { type: "string" },
  offline: { type: "boolean" },
  "cache-dir": { type: "string" },
  endpoint: { type: "string" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

export const HUB_FLAGS_HELP = `  --registry FILE   JSON { "name": { "url": ..., "sha256": ... } } (or { "files": [{ "file", "url", "sha256" }],
                    "family": ... } for a model of several files) adding or overriding models (env S3TOKENIZER_REGISTRY)
  --offline         never use the network (env S3TOKENIZER_OFFLINE=1)
  --cache_dir DIR   the cache (env S3TOKENIZER_CACHE; default $XDG_CACHE_HOME/s3tokenizer or ~/.cache/s3tokenizer)
  --endpoint URL    a mirror replacing https://www.modelscope.cn in the built-in URLs (env S3TOKENIZER_ENDPOINT)`;

export function hubOptions(values: FlagValues): HubOptions {
  const options: HubOptions = {};
  if (typeof values["registry"] === "string") options.registry = values["registry"];
  if (values["offline"] === true) options.offline = true;
  if (typeof values["cache-dir"] === "string") options.cacheDir = values["cache-dir"];
  if (typeof values["endpoint"] === "string") options.endpoint = values["endpoint"];
  return options;
}

export function parseMode(value: unknown): "exact" | "fast" {
  if (value === undefined || value === "exact" || value === "fast") return (value ?? "exact") as "exact" | "fast";
  throw new UsageError(`--mode must be "exact" or "fast", got "${String(value)}"`);
}
