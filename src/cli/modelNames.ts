/** The registry's model names by family, for help texts: read from the registry, never listed by hand. */
import { FAMILIES } from "../registry/families.js";
import { familyRegistryEntries, SINGLE_FILE_FAMILY } from "../registry/load.js";
import { BUILT_IN_NAMES } from "../hub/registry.js";

/** One line per family: its name and the model names it offers (or where its files come from). */
export function modelNamesByFamily(indent = "  "): string {
  const byFamily = new Map<string, string[]>(FAMILIES.map((family) => [family.name, []]));
  byFamily.get(SINGLE_FILE_FAMILY)?.push(...BUILT_IN_NAMES);
  for (const entry of familyRegistryEntries()) byFamily.get(entry.family ?? SINGLE_FILE_FAMILY)?.push(entry.name);
  const width = Math.max(...FAMILIES.map((family) => family.name.length));
  return FAMILIES.map((family) => {
    const names = byFamily.get(family.name)!;
    const byHand = family.byHand === undefined ? "" : names.length === 0 ? "none by name: `s3tokenizer models` says where its files come from" : " (some files placed by hand: see `s3tokenizer models`)";
    return `${indent}${family.name.padEnd(width)}  ${names.join(", ")}${byHand}`;
  }).join("\n");
}
