/** The registry with its optional JSON file read from disk (registry.ts parses it). */
import { readFile } from "node:fs/promises";
import { RegistryError } from "../errors.js";
import { builtInEntries, parseRegistry, type ModelEntry } from "./registry.js";

export async function readRegistryFile(file: string): Promise<ModelEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new RegistryError(file, undefined, `cannot read it: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseRegistry(text, file);
}

/**
 * Built-in entries (endpoint applied), then `extra` (the families' models), then the registry
 * file's, which win on equal names.
 */
export async function loadRegistry(
  settings: { registryFile?: string | undefined; endpoint?: string | undefined },
  extra: readonly ModelEntry[] = [],
): Promise<Map<string, ModelEntry>> {
  const entries = [...builtInEntries(settings.endpoint), ...extra];
  if (settings.registryFile !== undefined) entries.push(...(await readRegistryFile(settings.registryFile)));
  return new Map(entries.map((entry) => [entry.name, entry]));
}
