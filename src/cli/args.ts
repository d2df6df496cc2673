/**
 * Command-line parsing on node:util's parseArgs. Upstream spells flags in snake_case
 * (--wav_scp); both that and kebab-case (--wav-scp) are accepted.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.js";
import type { HubOptions } from "../hub/options.js";
import { nearestName } from "./nearestFlag.js";

/** `--wav_scp` → `--wav-scp` (only the flag name, never its value). */
export function normalizeFlag(arg: string): string {
  if (!arg.startsWith("--")) return arg;
  const eq = arg.indexOf("=");
  const name = eq < 0 ? arg : arg.slice(0, eq);
  const rest = eq < 0 ? "" : arg.slice(eq);
  return name.replace(/_/g, "-") + rest;
}

export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * `--rank -1` → `--rank=-1`: parseArgs takes a value starting with "-" for a flag and answers with
 * a puzzle about ambiguity; joined, the value reaches the flag's own check, which says what is wrong.
 */
function joinNegativeValues(args: string[], options: NonNullable<ParseArgsConfig["options"]>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const option = arg.startsWith("--") && !arg.includes("=") ? options[arg.slice(2)] : undefined;
    if (option?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** A flag as the help texts write it: `--wav_scp`. */
function snakeFlag(name: string): string {
  return `--${name.replace(/-/g, "_")}`;
}

/** parseArgs's "Unknown option" made into what to type instead, when a known flag is near. */
function unknownFlagMessage(message: string, options: NonNullable<ParseArgsConfig["options"]>): string | null {
  const typed = /^Unknown option '(--?)([^']*)'/.exec(message);
  if (typed === null) return null;
  const shown = typed[1] === "--" ? snakeFlag(typed[2]!) : `-${typed[2]}`;
  const near = typed[1] === "--" ? nearestName(typed[2]!, Object.keys(options)) : null;
  return near === null ? `unknown flag ${shown}` : `unknown flag ${shown}; did you mean ${snakeFlag(near)}?`;
}

export function parseFlags(argv: string[], options: NonNullable<ParseArgsConfig["options"]>): { values: FlagValues } {
  try {
    const { values } = parseArgs({ args: joinNegativeValues(argv.map(normalizeFlag), options), options, allowPositionals: false, strict: true });
    return { values: values as FlagValues };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(unknownFlagMessage(message, options) ?? message);
  }
}

export function requireFlag(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name.replace(/-/g, "_")} is required`);
  return value;
}

export function integerFlag(values: Record<string, unknown>, name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`--${name} must be a positive integer, got "${String(value)}"`);
  return parsed;
}

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
