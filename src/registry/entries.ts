/**
 * The registry's models by name, for Node and the page alike: the hub's built-in single-file S3
 * releases and every family's pinned models, and which family opens each. Browser-safe.
 */
import { InvalidInputError, UnrecognizedModelError } from "../errors.js";
import type { ModelSource } from "../family/modelSource.js";
import type { TokenizerFamily } from "../family/types.js";
import { familyEntries, type ModelEntry } from "../hub/registry.js";
import { FAMILIES, familyNamed } from "./families.js";

/** The family of registry entries that name none: the built-in single-file S3 releases. */
export const SINGLE_FILE_FAMILY = "s3";

/** The models every family offers by name, as registry entries (the hub knows no family). */
export function familyRegistryEntries(families: readonly TokenizerFamily[] = FAMILIES): ModelEntry[] {
  return familyEntries(families.flatMap((family) => family.models.map((model) => ({ ...model, family: family.name }))));
}

/** The family of a registry entry, or a typed error naming the entry. */
export function entryFamily(entry: ModelEntry): TokenizerFamily {
  const name = entry.family ?? SINGLE_FILE_FAMILY;
  const family = familyNamed(name);
  if (!family) {
    throw new InvalidInputError(
      `model "${entry.name}" (${entry.origin}) names family "${name}", which this toolkit does not have (families: ${FAMILIES.map((f) => f.name).join(", ")})`,
    );
  }
  return family;
}

/** The family whose detect() recognises `source` (the first that does, in registry order). */
export async function detectSourceFamily(source: ModelSource, families: readonly TokenizerFamily[] = FAMILIES): Promise<TokenizerFamily> {
  for (const family of families) {
    if ((await family.detect(source)) !== null) return family;
  }
  throw new UnrecognizedModelError(source.label, families.map((f) => f.name));
}
