/** `s3tokenizer export --model PATH --out FILE`: writes the batched graph as an ONNX file. */
import { writeFile } from "node:fs/promises";
import { buildBatchedModel } from "../modelFile.js";
import { parseFlags, requireFlag } from "./args.js";

export const EXPORT_HELP = `s3tokenizer export --model PATH --out FILE

Writes this project's batched graph of a released tokenizer as a standalone ONNX file with
dynamic batch and time: inputs mels float32 [B, n_mels, T] and mel_lengths int32 [B]; outputs
codes int32 [B, T'] (0 past each length) and code_lengths int32 [B].`;

export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { model: { type: "string" }, out: { type: "string" } });
  const model = await buildBatchedModel(requireFlag(values, "model"));
  const out = requireFlag(values, "out");
  await writeFile(out, model.bytes);
  const { version, dims } = model.info;
  process.stderr.write(
    `wrote ${out}: ${version}, ${dims.layers} blocks, width ${dims.width}, ${dims.heads} heads, ` +
      `${dims.tokenRate} tokens/s, ${dims.codebookSize} codes\n`,
  );
  return 0;
}
