/**
 * Command-line flags on node:util's parseArgs, for the commands and the families' own commands.
 * Upstream spells flags in snake_case (--wav_scp); both that and kebab-case (--wav-scp) are accepted.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.js";
import { nearestName } from "./nearestName.js";

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
