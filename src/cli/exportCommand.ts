/** `s3tokenizer export --model NAME|PATH --out FILE [--mode exact|fast]`: writes the batched graph as an ONNX file. */
import { writeFile } from "node:fs/promises";
import { resolveModel } from "../hub/resolve.js";
import { buildBatchedModel } from "../models/s3/modelFile.js";
import { HUB_FLAGS, HUB_FLAGS_HELP, hubOptions, parseFlags, parseMode, requireFlag } from "./args.js";

export const EXPORT_HELP = `s3tokenizer export --model NAME|PATH --out FILE [--mode exact|fast]

Writes this project's batched graph of a released tokenizer as a standalone ONNX file with
dynamic batch and time: inputs mels float32 [B, n_mels, T] and mel_lengths int32 [B]; outputs
codes int32 [B, T'] (0 past each length) and code_lengths int32 [B]. --mode fast writes the int8
variant (com.microsoft DynamicQuantizeMatMul, onnxruntime only).

${HUB_FLAGS_HELP}`;

export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { model: { type: "string" }, out: { type: "string" }, mode: { type: "string" }, ...HUB_FLAGS });
  const released = await resolveModel(requireFlag(values, "model"), hubOptions(values));
  const model = await buildBatchedModel(released, parseMode(values.mode));
  const out = requireFlag(values, "out");
  await writeFile(out, model.bytes);
  const { version, dims } = model.info;
  process.stderr.write(
    `wrote ${out}: ${version}, ${dims.layers} blocks, width ${dims.width}, ${dims.heads} heads, ` +
      `${dims.tokenRate} tokens/s, ${dims.codebookSize} codes\n`,
  );
  return 0;
}
