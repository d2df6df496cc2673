/**
 * An optional RepCodec YAML configuration (`--model_config_path`): flat as upstream's
 * `repcodec/configs/repcodec_dim*.yaml`, or under `model_params:` as its training configs. It is
 * read as YAML 1.1 (what PyYAML, upstream's reader, speaks) and checked against the weights: the
 * checkpoint's shapes are the truth, and the file may only add what shapes cannot say (dilations).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { InvalidInputError } from "../../errors.js";
import type { RepCodecConfig } from "./config.js";

type Value = number | boolean | number[];

/** Reads the keyword table; a typed error when the file is unreadable or not a table. */
export function readConfigYaml(path: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = parse(readFileSync(path, "utf8"), { version: "1.1" });
  } catch (error) {
    throw new InvalidInputError(`${path}: cannot read the RepCodec config: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
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
      if (!isIntegerList(value) || value.length !== (expected as number[]).length || value.some((d) => d < 1)) {
        throw new InvalidInputError(`${path}: ${key} is ${JSON.stringify(value)}, the weights have ${(expected as number[]).length} residual units per block`);
      }
      merged[key] = value;
    } else if (JSON.stringify(value) !== JSON.stringify(expected)) {
      throw new InvalidInputError(`${path}: ${key} is ${JSON.stringify(value)} but the weights say ${JSON.stringify(expected)}`);
    }
  }
  return merged;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isIntegerList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isInteger(v));
}
