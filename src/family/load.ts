/**
 * One entry point for every family: a registry name (S3's releases or any family's models) →
 * its files from the hub's cache (downloaded when needed) → its family's loader; a local path →
 * the first family whose detect() recognizes it.
 */
import { existsSync } from "node:fs";
import { InvalidInputError, ModelNotFoundError, UnrecognizedModelError } from "../errors.js";
import { familyEntries, SINGLE_FILE_NAME, type ModelEntry } from "../hub/registry.js";
import { isPathLike, registryEntry, resolveEntryFiles } from "../hub/resolve.js";
import { FAMILIES, familyNamed } from "./families.js";
import type { FamilyLoadOptions, ModelFiles, SpeechTokenizerModel, TokenizerFamily } from "./types.js";

/** The family of registry entries that name none: the built-in single-file S3 releases. */
export const SINGLE_FILE_FAMILY = "s3";

/** The models every family offers by name, as registry entries (the hub knows no family). */
export function familyRegistryEntries(families: readonly TokenizerFamily[] = FAMILIES): ModelEntry[] {
  return familyEntries(families.flatMap((family) => family.models.map((model) => ({ ...model, family: family.name }))));
}

/** The family of a registry entry, or a typed error naming the entry. */
function entryFamily(entry: ModelEntry): TokenizerFamily {
  const name = entry.family ?? SINGLE_FILE_FAMILY;
  const family = familyNamed(name);
  if (!family) {
    throw new InvalidInputError(
      `model "${entry.name}" (${entry.origin}) names family "${name}", which this toolkit does not have (families: ${FAMILIES.map((f) => f.name).join(", ")})`,
    );
  }
  return family;
}

/** The family and files of a local path: each family's detect() in turn. */
export async function detectFamily(path: string): Promise<{ family: TokenizerFamily; files: ModelFiles }> {
  for (const family of FAMILIES) {
    const files = await family.detect(path);
    if (files) return { family, files };
  }
  throw new UnrecognizedModelError(path, FAMILIES.map((f) => f.name));
}

/**
 * A tokenizer of any family: `nameOrPath` is a registry name (served from the cache, downloaded
 * when needed, never offline) or a local file or folder of a released model.
 */
export async function load(nameOrPath: string, options: FamilyLoadOptions = {}): Promise<SpeechTokenizerModel> {
  if (nameOrPath === "") throw new InvalidInputError("the model is an empty string; give a model name or a path");
  if (existsSync(nameOrPath)) {
    const { family, files } = await detectFamily(nameOrPath);
    return family.load(files, nameOrPath, options);
  }
  if (isPathLike(nameOrPath)) throw new ModelNotFoundError(nameOrPath, "no such file or folder");
  const entry = await registryEntry(nameOrPath, options, familyRegistryEntries());
  const family = entryFamily(entry);
  const { files } = await resolveEntryFiles(entry, options, SINGLE_FILE_NAME);
  return family.load(files, nameOrPath, options);
}
