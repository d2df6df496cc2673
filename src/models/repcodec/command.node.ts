/**
 * `s3tokenizer repcodec FEAT_DIR --model PKL --tsv_path TSV --out_dir DIR [--batch_size N]`:
 * upstream RepCodec's `repcodec` command. Reads the feature dump ({rank}_{n_shard}.npy + .len; the rows
 * of one batch at a time), writes DIR/tokens (the tsv's root line, then `relpath<TAB>tokens` per
 * utterance in tsv order). Every input is checked before the file is written; any batch size gives
 * the tokens of batch size 1. The family declares it (family.ts `commands`); the CLI runs it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { integerFlag, parseFlags, requireFlag } from "../../flags/parse.js";
import { selectDevice } from "../../runtime/session.js";
import { openDump } from "./dumpLayout.js";
import { loadRepCodec } from "./load.js";

export const help = `s3tokenizer repcodec FEAT_DIR --model PKL --tsv_path TSV --out_dir DIR [options]

Tokenizes speech-encoder features with a RepCodec trainer checkpoint, as upstream's \`repcodec\`
command: FEAT_DIR holds {rank}_{n_shard}.npy (float32 [frames, width]) and .len (frames per
utterance); TSV's first line is the audio root, then one relpath per utterance. Writes DIR/tokens.

  --model PKL               RepCodec checkpoint (.pkl); its configuration is read from its tensors
  --model_config_path YAML  a configuration (flat or under model_params:), checked against the weights
  --batch_size N            utterances per run (default 1); the tokens do not depend on it
  --n_shard N               shards of the dump (default 1)
  --device cpu|cuda[:N]|webgpu`;

export async function run(argv: string[]): Promise<number> {
  // FEAT_DIR is positional, as upstream's `in_dir`; the flags parser takes flags only.
  const positional = argv.findIndex((arg, i) => !arg.startsWith("-") && (i === 0 || !argv[i - 1]!.startsWith("--") || argv[i - 1]!.includes("=")));
  if (positional < 0) throw new UsageError("FEAT_DIR (the feature dump's folder) is required");
  const featDir = argv[positional]!;
  const { values } = parseFlags(argv.filter((_, i) => i !== positional), {
    model: { type: "string" },
    "tsv-path": { type: "string" },
    "out-dir": { type: "string" },
    "model-config-path": { type: "string" },
    "batch-size": { type: "string" },
    "n-shard": { type: "string" },
    device: { type: "string" },
  });
  const modelPath = requireFlag(values, "model");
  const tsvPath = requireFlag(values, "tsv-path");
  const outDir = typeof values["out-dir"] === "string" ? values["out-dir"] : ".";
  const batchSize = integerFlag(values, "batch-size") ?? 1;
  const shards = integerFlag(values, "n-shard") ?? 1;
  const device = typeof values.device === "string" ? selectDevice(values.device) : {};
  const configPath = typeof values["model-config-path"] === "string" ? values["model-config-path"] : undefined;

  const model = await loadRepCodec(modelPath, { ...device, batchSize, ...(configPath === undefined ? {} : { configPath }) });
  try {
    const dump = openDump(featDir, shards, tsvPath, model.featureWidth);
    try {
      // One batch's features in memory at a time (upstream memory-maps the dump): the tokens do not depend on the batch.
      const lines: string[] = [];
      for (let start = 0; start < dump.utterances.length; start += batchSize) {
        const batch = dump.utterances.slice(start, start + batchSize);
        const tokens = await model.tokenize(batch.map((u) => u.readFeatures()));
        batch.forEach((u, i) => lines.push(`${u.name}\t${Array.from(tokens[i]!).join(" ")}\n`));
      }
      await mkdir(outDir, { recursive: true });
      await writeFile(join(outDir, "tokens"), `${dump.root}\n${lines.join("")}`);
      process.stderr.write(`tokenized ${dump.utterances.length} utterances into ${join(outDir, "tokens")}\n`);
    } finally {
      dump.close();
    }
  } finally {
    await model.dispose();
  }
  return 0;
}
