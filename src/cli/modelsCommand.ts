/**
 * `s3tokenizer models`: the registry's models and what the cache holds of each;
 * `--download NAME` fetches (and verifies) models ahead of a job.
 */
import { UsageError } from "../errors.js";
import type { CacheState } from "../hub/cachedModel.js";
import { listModels } from "../hub/listModels.js";
import { hubSettings, type HubOptions } from "../hub/options.js";
import { formatBytes } from "../hub/progress.js";
import { resolveModelFile } from "../hub/resolve.js";
import { HUB_FLAGS, HUB_FLAGS_HELP, hubOptions, parseFlags } from "./args.js";

export const MODELS_HELP = `s3tokenizer models [--registry FILE] [--offline] [--cache_dir DIR] [--endpoint URL]
s3tokenizer models --download NAME [--download NAME ...] [same flags]

Lists the known models (the four released tokenizers and the entries of a registry file) with
their URL, sha256 and cache state. With --download, fetches the named models into the cache and
verifies them (offline: only checks that they are there), printing each file's path.

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
      const resolved = await resolveModelFile(name, options);
      process.stdout.write(`${name}\t${resolved.path}\n`);
    }
    return 0;
  }

  const models = await listModels(options);
  const rows = [["NAME", "SHA256", "CACHE", "URL"]];
  for (const model of models) {
    rows.push([model.name, model.sha256.slice(0, 12), describeCache(model.cache), model.url]);
  }
  process.stdout.write(table(rows) + "\n");
  process.stdout.write(`\ncache: ${hubSettings(options).cacheDir}\n`);
  return 0;
}
