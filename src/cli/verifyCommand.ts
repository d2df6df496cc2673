/** `s3tokenizer verify --model PATH --wav_scp FILE [--device cpu|cuda] [--max_miss_rate PCT]` */
import { readWavScp } from "../audio/wavScp.js";
import { parseDevice } from "../runtime/session.js";
import { formatVerifyReport, verifyModel } from "../verify/verifyModel.js";
import { HUB_FLAGS, HUB_FLAGS_HELP, hubOptions, parseFlags, requireFlag } from "./args.js";

export const VERIFY_HELP = `s3tokenizer verify --model NAME|PATH --wav_scp FILE [--device cpu|cuda|webgpu] [--max_miss_rate PCT]

Runs the released ONNX file itself one utterance at a time (as CosyVoice's extraction script
does) and this project's batched path over the same audio, and prints the miss rate (share of
differing token positions) and length mismatches per utterance and overall.
Exit code 0 when the overall miss rate is at most --max_miss_rate percent (default 0.1) and no
length differs; 1 otherwise.

${HUB_FLAGS_HELP}`;

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    model: { type: "string" },
    "wav-scp": { type: "string" },
    device: { type: "string", default: "cpu" },
    "max-miss-rate": { type: "string", default: "0.1" },
    ...HUB_FLAGS,
  });
  const model = requireFlag(values, "model");
  const entries = await readWavScp(requireFlag(values, "wav-scp"));
  const device = parseDevice(String(values.device));
  const report = await verifyModel(model, entries, { ...hubOptions(values), device });
  process.stdout.write(formatVerifyReport(report) + "\n");
  const limit = Number(values["max-miss-rate"]) / 100;
  return report.total.missRate <= limit && report.total.lengthMismatches === 0 ? 0 : 1;
}
