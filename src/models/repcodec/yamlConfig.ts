/**
 * An optional RepCodec YAML configuration (`--model_config_path`): flat as upstream's
 * `repcodec/configs/repcodec_dim*.yaml`, or under `model_params:` as its training configs. It is
 * read as YAML 1.1 (what PyYAML, upstream's reader, speaks) and checked against the weights: the
 * checkpoint's shapes are the truth, and the file may only add what shapes cannot say (dilations).
 */
import { InvalidInputError } from "../../errors.js";
import { readConfigFile } from "../../family/configFile.js";
import { describeValue, parseConfigYaml } from "../../family/configText.js";
import type { RepCodecConfig } from "./config.js";

type Value = number | boolean | number[];

/** Largest residual-unit dilation accepted (the releases use 1; upstream's examples stay under 30). */
const MAX_DILATION = 1024;

/**
 * Reads the keyword table; a typed error when the file is unreadable, not a regular file, larger
 * than a configuration, not YAML (or of too many aliases), or not a table.
 */
export function readConfigYaml(path: string): Record<string, unknown> {
  const problem = (what: string, cause?: unknown): InvalidInputError =>
    new InvalidInputError(`${path}: cannot read the RepCodec config: ${what}`, cause === undefined ? {} : { cause });
  const document = parseConfigYaml(readConfigFile(path, problem), problem);
  const table = isTable(document) && isTable(document["model_params"]) ? document["model_params"] : document;
  if (!isTable(table)) throw new InvalidInputError(`${path}: the RepCodec config is not a table of model parameters`);
  return table;
}

/**
 * The configuration `derived` from the weights, with the YAML's dilations; a typed error naming
 * the file, the key and both values for every other disagreement, and for keys RepCodec does not take.
 */
export function mergeConfig(derived: RepCodecConfig, yaml: Record<string, unknown>, path: string): RepCodecConfig {
  const merged: RepCodecConfig = { ...derived };
  for (const [key, value] of Object.entries(yaml)) {
    if (!(key in derived)) throw new InvalidInputError(`${path}: unknown RepCodec parameter "${key}"`);
    const expected = derived[key as keyof RepCodecConfig] as Value;
    if (key === "enc_block_dilations" || key === "dec_block_dilations") {
      if (!isIntegerList(value) || value.length !== (expected as number[]).length || value.some((d) => d < 1 || d > MAX_DILATION)) {
        throw new InvalidInputError(
          `${path}: ${key} is ${shown(value)}, the weights have ${(expected as number[]).length} residual units per block (dilations from 1 to ${MAX_DILATION})`,
        );
      }
      merged[key] = value;
    } else if (!sameValue(value, expected)) {
      throw new InvalidInputError(`${path}: ${key} is ${shown(value)} but the weights say ${JSON.stringify(expected)}`);
    }
  }
  return merged;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A number, boolean or flat list of them as written; anything else by its kind (never walked deep). */
function shown(value: unknown): string {
  return Array.isArray(value) && value.length <= 64 && value.every((v) => typeof v === "number" || typeof v === "boolean")
    ? JSON.stringify(value)
    : describeValue(value);
}

function sameValue(value: unknown, expected: Value): boolean {
  if (!Array.isArray(expected)) return value === expected;
  return Array.isArray(value) && value.length === expected.length && value.every((v, i) => v === expected[i]);
}

function isIntegerList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isInteger(v));
}
