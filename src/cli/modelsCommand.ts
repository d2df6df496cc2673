/**
 * `s3tokenizer models`: the registry's models and what the cache holds of each;
 * `--download NAME` fetches (and verifies) models ahead of a job.
 */
import { UsageError } from "../errors.js";
import type { CacheState } from "../hub/cachedModel.js";
import { listModels } from "../hub/listModels.js";
import { hubSettings, type HubOptions } from "../hub/options.js";
import { formatBytes } from "../hub/progress.js";
import { FAMILIES } from "../registry/families.js";
import { familyRegistryEntries, SINGLE_FILE_FAMILY } from "../registry/load.js";
import { SINGLE_FILE_NAME } from "../hub/registry.js";
import { registryEntry, resolveEntryFiles } from "../hub/resolve.js";
import { HUB_FLAGS, HUB_FLAGS_HELP, hubOptions, parseFlags } from "./args.js";

export const MODELS_HELP = `s3tokenizer models [--registry FILE] [--offline] [--cache_dir DIR] [--endpoint URL]
s3tokenizer models --download NAME [--download NAME ...] [same flags]

Lists the known models of every tokenizer family (the four released S3 tokenizers, the other
families' models and the entries of a registry file) with their family, URL, sha256 and cache
state (a model of several files: its first file's URL and sha256, its folder's state), then where
to get the files no name can download (FunCodec's releases, RepCodec's .pkl) and what to pass.
With --download, fetches the named models into the cache and verifies them (offline: only checks
that they are there), printing each file's path.

${HUB_FLAGS_HELP}`;

function describeCache(cache: CacheState): string {
  switch (cache.state) {
    case "absent":
      return "absent";
    case "partial":
      return `partial download (${formatBytes(cache.size)})`;
    case "cached":
      return cache.verified ? `cached, verified (${formatBytes(cache.size)})` : `cached, not yet verified (${formatBytes(cache.size)})`;
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")).join("\n");
}

export async function modelsCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...HUB_FLAGS, download: { type: "string", multiple: true } });
  const options: HubOptions = hubOptions(values);

  const downloads = (values["download"] as string[] | undefined) ?? [];
  if (downloads.length > 0) {
    for (const name of downloads) {
      if (name === "") throw new UsageError("--download needs a model name");
      const entry = await registryEntry(name, options, familyRegistryEntries());
      const { files } = await resolveEntryFiles(entry, options, SINGLE_FILE_NAME);
      // One line per file; a single-file model prints its path as before.
      for (const path of Object.values(files)) process.stdout.write(`${name}\t${path}\n`);
    }
    return 0;
  }

  const models = await listModels(options, familyRegistryEntries());
  // FAMILY last, so the columns scripts read today keep their places.
  const rows = [["NAME", "SHA256", "CACHE", "URL", "FAMILY"]];
  for (const model of models) {
    rows.push([model.name, model.sha256.slice(0, 12), describeCache(model.cache), model.url, model.family ?? SINGLE_FILE_FAMILY]);
  }
  process.stdout.write(table(rows) + "\n");
  process.stdout.write(`\ncache: ${hubSettings(options).cacheDir}\n`);
  const byHand = FAMILIES.filter((family) => family.byHand !== undefined);
  if (byHand.length > 0) {
    process.stdout.write("\nModel files you get yourself (no verifiable download exists):\n");
    for (const family of byHand) process.stdout.write(`${family.name}:\n${family.byHand!.map((line) => `  ${line}\n`).join("")}`);
  }
  return 0;
}
