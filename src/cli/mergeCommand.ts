/** `s3tokenizer merge --output_dir DIR [--format jsonl|cosyvoice] [--out FILE] [--row N]` */
import { join } from "node:path";
import { writeTorchPickle } from "../checkpoint/writeCheckpoint.js";
import { UsageError } from "../errors.js";
import { codeRow, readParts } from "../extract/mergeParts.js";
import { replaceOutputFileSync, writeOutputFileSync } from "../hub/atomicWrite.js";
import { parseFlags, requireFlag } from "./args.js";

export const MERGE_HELP = `s3tokenizer merge --output_dir DIR [--format jsonl|cosyvoice] [--out FILE] [--row N]

Merges the part_R_of_W files an extraction wrote into DIR (all W parts must be present) into
one file, sorted by key (the wav.scp order is not recorded in the parts). A key found twice
is an error naming it. Parts made by different models (their provenance_R_of_W.json records
differ) are refused. The output is written beside its target and renamed over it: the previous
file stays whole if writing fails (full disk: exit 4); a symlink or a device as the target is refused.

  --format jsonl       (default) one line {"key", "code"} per utterance; --out default DIR/merged.jsonl
  --format cosyvoice   utt2speech_token.pt as CosyVoice's tools/extract_speech_token.py saves it:
                       a torch file holding a dict key -> list of ints (torch.load reads it, with
                       weights_only=True too); --out default DIR/utt2speech_token.pt
  --row N              cosyvoice only: for codes of several rows (codebooks), take row N (0 = the
                       first). Without it, a key with more than one row is an error.`;

function rowFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const row = Number(value);
  if (!Number.isInteger(row) || row < 0) throw new UsageError(`--row must be a row index 0, 1, ..., got "${String(value)}"`);
  return row;
}

export async function mergeCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    "output-dir": { type: "string" },
    format: { type: "string", default: "jsonl" },
    out: { type: "string" },
    row: { type: "string" },
  });
  const dir = requireFlag(values, "output-dir");
  const format = String(values.format);
  if (format !== "jsonl" && format !== "cosyvoice") throw new UsageError(`--format must be jsonl or cosyvoice, got "${format}"`);
  const row = rowFlag(values.row);
  if (row !== undefined && format !== "cosyvoice") throw new UsageError("--row applies to --format cosyvoice only");
  const records = readParts(dir);
  const out = typeof values.out === "string" ? values.out : join(dir, format === "jsonl" ? "merged.jsonl" : "utt2speech_token.pt");
  // Written whole beside the target and renamed: on a full disk the previous file stays as it was;
  // a symlink or a device under --out is refused, never written through or replaced.
  if (format === "jsonl") {
    writeOutputFileSync(out, records.map((r) => JSON.stringify({ key: r.key, code: r.code }) + "\n").join(""));
  } else {
    const tokens = new Map(records.map((r) => [r.key, codeRow(r, row)]));
    replaceOutputFileSync(out, (temporary) => writeTorchPickle(temporary, tokens));
  }
  process.stderr.write(`merged ${records.length} utterances into ${out}\n`);
  return 0;
}
