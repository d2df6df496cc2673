/**
 * `s3tokenizer export --model NAME|PATH --out FILE [--mode exact|fast]`: writes the batched graph of
 * an S3Tokenizer model as an ONNX file (a model of another family is refused, saying so).
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { FAMILIES } from "../registry/families.js";
import { familyRegistryEntries, SINGLE_FILE_FAMILY } from "../registry/load.js";
import type { HubOptions } from "../hub/options.js";
import { BUILT_IN_NAMES } from "../hub/registry.js";
import { isPathLike, registryEntry, resolveModel } from "../hub/resolve.js";
import { buildBatchedModel } from "../models/s3/modelFile.js";
import { HUB_FLAGS, HUB_FLAGS_HELP, hubOptions, parseFlags, parseMode, requireFlag } from "./args.js";
import { detectLocal } from "../family/loadLocal.js";

export const EXPORT_HELP = `s3tokenizer export --model NAME|PATH --out FILE [--mode exact|fast]

Writes this project's batched graph of a released tokenizer as a standalone ONNX file with
dynamic batch and time: inputs mels float32 [B, n_mels, T] and mel_lengths int32 [B]; outputs
codes int32 [B, T'] (0 past each length) and code_lengths int32 [B]. --mode fast writes the int8
variant (com.microsoft DynamicQuantizeMatMul, onnxruntime only).

${HUB_FLAGS_HELP}`;

/**
 * The family of `nameOrPath` when it is a model of another family than S3 (a folder or file another
 * family recognises, or a registry name of another family), else null: the S3 reader then says
 * what is wrong with anything else.
 */
async function otherFamily(nameOrPath: string, hub: HubOptions): Promise<string | null> {
  if (existsSync(nameOrPath)) {
    for (const family of FAMILIES) {
      if (family.name !== SINGLE_FILE_FAMILY && (await detectLocal(family, nameOrPath)) !== null) return family.name;
    }
    return null;
  }
  if (isPathLike(nameOrPath) || nameOrPath === "") return null;
  const entry = await registryEntry(nameOrPath, hub, familyRegistryEntries());
  return entry.family !== undefined && entry.family !== SINGLE_FILE_FAMILY ? entry.family : null;
}

export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { model: { type: "string" }, out: { type: "string" }, mode: { type: "string" }, ...HUB_FLAGS });
  const nameOrPath = requireFlag(values, "model");
  const family = await otherFamily(nameOrPath, hubOptions(values));
  if (family !== null) {
    throw new UsageError(
      `${nameOrPath} is a ${family} model: export writes the batched ONNX graph of S3Tokenizer models only (${BUILT_IN_NAMES.join(", ")}, or their .onnx files); a ${family} model is used from its own files by the other commands`,
    );
  }
  const released = await resolveModel(nameOrPath, hubOptions(values));
  const model = await buildBatchedModel(released, parseMode(values.mode));
  const out = requireFlag(values, "out");
  await writeFile(out, model.bytes);
  const { version, dims } = model.info;
  process.stderr.write(
    `wrote ${out}: ${version}, ${dims.layers} blocks, width ${dims.width}, ${dims.heads} heads, ` +
      `${dims.tokenRate} tokens/s, ${dims.codebookSize} codes\n`,
  );
  return 0;
}
