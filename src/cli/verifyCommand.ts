/** `s3tokenizer verify --model PATH --wav_scp FILE [--device cpu|cuda] [--max_miss_rate PCT]` */
import { readWavScp } from "../audio/wavScp.js";
import { UsageError } from "../errors.js";
import type { HubOptions } from "../hub/options.js";
import { selectDevice } from "../runtime/session.js";
import type { TokenizerOptions } from "../s3Tokenizer.js";
import { formatVerifyReport, verifyModel } from "../s3Verify/verifyModel.js";
import { HUB_FLAGS, HUB_FLAGS_HELP, hubOptions, parseFlags, requireFlag } from "./args.js";

export const VERIFY_HELP = `s3tokenizer verify --model NAME|PATH --wav_scp FILE [--device cpu|cuda|cuda:N|webgpu] [--max_miss_rate PCT]

Runs the released ONNX file itself one utterance at a time (as CosyVoice's extraction script
does) and this project's batched path over the same audio, and prints the miss rate (share of
differing token positions) and length mismatches per utterance and overall.
Exit code 0 when the overall miss rate is at most --max_miss_rate percent (default 0.1) and no
length differs; 1 otherwise; 2 usage errors (e.g. --max_miss_rate not a number from 0 to 100).

${HUB_FLAGS_HELP}`;

export interface VerifyArgs {
  model: string;
  scpPath: string;
  options: TokenizerOptions & HubOptions;
  /** The largest overall miss rate that passes, as a fraction (the flag is in percent). */
  maxMissRate: number;
}

export function parseVerifyArgs(argv: string[]): VerifyArgs {
  const { values } = parseFlags(argv, {
    model: { type: "string" },
    "wav-scp": { type: "string" },
    device: { type: "string", default: "cpu" },
    "max-miss-rate": { type: "string", default: "0.1" },
    ...HUB_FLAGS,
  });
  const model = requireFlag(values, "model");
  const scpPath = requireFlag(values, "wav-scp");
  // The one device parser every command uses: "cuda:N" keeps its N.
  const { device, deviceId } = selectDevice(String(values.device));
  const text = String(values["max-miss-rate"]);
  const percent = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || percent > 100) {
    throw new UsageError(`--max_miss_rate must be a percentage from 0 to 100, got "${text}"`);
  }
  return { model, scpPath, options: { ...hubOptions(values), device, deviceId }, maxMissRate: percent / 100 };
}

export async function verifyCommand(argv: string[]): Promise<number> {
  const args = parseVerifyArgs(argv);
  const entries = await readWavScp(args.scpPath);
  const report = await verifyModel(args.model, entries, args.options);
  process.stdout.write(formatVerifyReport(report) + "\n");
  return report.total.missRate <= args.maxMissRate && report.total.lengthMismatches === 0 ? 0 : 1;
}
