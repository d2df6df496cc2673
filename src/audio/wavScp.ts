/**
 * Kaldi wav.scp lists: one `key path` per line; the key is the first whitespace-separated field
 * and the path is the rest of the line. Blank lines and `#` comments are ignored; relative paths
 * resolve against the list's own directory.
 */
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { InvalidInputError } from "../errors.js";

export interface ScpEntry {
  key: string;
  /** Resolved path, or the raw command for a Kaldi pipe entry (ending in `|`). */
  path: string;
  /** True for `command |` entries. */
  isPipe: boolean;
  /** 1-based line number in the list. */
  line: number;
}

export function parseWavScp(text: string, listPath: string): ScpEntry[] {
  const baseDir = dirname(resolve(listPath));
  const entries: ScpEntry[] = [];
  const seen = new Map<string, number>();
  const duplicates: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^(\S+)\s+(.+)$/.exec(line);
    if (!match) throw new InvalidInputError(`${listPath}:${index + 1}: expected "key path", got "${line}"`);
    const key = match[1]!;
    const rest = match[2]!.trim();
    if (seen.has(key)) duplicates.push(`${key} (lines ${seen.get(key)} and ${index + 1})`);
    seen.set(key, index + 1);
    const isPipe = rest.endsWith("|");
    const path = isPipe || isAbsolute(rest) ? rest : resolve(baseDir, rest);
    entries.push({ key, path, isPipe, line: index + 1 });
  });
  if (duplicates.length > 0) {
    throw new InvalidInputError(`${listPath}: duplicate keys: ${duplicates.join(", ")}`);
  }
  return entries;
}

export async function readWavScp(listPath: string): Promise<ScpEntry[]> {
  let text: string;
  try {
    text = await readFile(listPath, "utf8");
  } catch (error) {
    throw new InvalidInputError(`${listPath}: cannot read the wav.scp list: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseWavScp(text, listPath);
}
