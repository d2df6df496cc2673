/**
 * `s3tokenizer encodec compress|decompress IN OUT`: EnCodec's .ecdc files, as upstream's `encodec`
 * command without the language model. compress: audio (any format the toolkit reads, brought to
 * the model's rate and channels) → .ecdc at a bandwidth; decompress: .ecdc → WAV at the model's
 * rate and channels, the model the file's header names (or --model). Files coded with the
 * language model (upstream's --lm) are refused with the reason (README, EnCodec).
 */
import { readFileSync } from "node:fs";
import { loadAudio } from "../../audio/loadAudio.js";
import { audioFormatOf } from "../../audio/format.js";
import { encodeWav } from "../../audio/wavWrite.js";
import { UsageError } from "../../errors.js";
import type { CommandTools } from "../../family/types.js";
import { parseFlags } from "../../flags/parse.js";
import { compressEcdc, decompressEcdc } from "./ecdc.js";
import { decodeEcdcHeader } from "./ecdcHeader.js";
import { EncodecModel } from "./model.js";
import { ENCODEC_OPTIONS } from "./options.js";

export const help = `s3tokenizer encodec compress IN OUT.ecdc [--model NAME|PATH] [--bandwidth KBPS] [--hq]
s3tokenizer encodec decompress IN.ecdc OUT.wav [--model NAME|PATH]

EnCodec's compressed files, as upstream's \`encodec\` command (without --lm: files coded with the
language model are refused, saying so).

  --model NAME|PATH   the EnCodec model (compress default: encodec_24khz, or encodec_48khz with
                      --hq; decompress default: the model the file's header names)
  --bandwidth KBPS    compress at this bandwidth (24 kHz: 1.5, 3, 6, 12, 24; 48 kHz: 3, 6, 12, 24;
                      default 6, as upstream)
  --hq                the 48 kHz stereo model, as upstream's --hq
  --device cpu|cuda[:N]|webgpu
Decompressed audio is written as 16-bit WAV at the model's rate and channels.`;

/** Upstream's default bandwidth (encodec/__main__.py). */
const DEFAULT_BANDWIDTH = 6;

function positional(argv: string[]): { files: string[]; flags: string[] } {
  const files: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("-")) files.push(arg);
    else {
      flags.push(arg);
      // A flag with a value takes the next argument unless written --flag=value.
      if (!arg.includes("=") && ["--model", "--bandwidth", "--device"].includes(arg) && argv[i + 1] !== undefined) flags.push(argv[++i]!);
    }
  }
  return { files, flags };
}

async function openModel(tools: CommandTools, name: string, device: string | undefined): Promise<EncodecModel> {
  const model = await tools.loadModel(name, device === undefined ? {} : { device: device as "cpu" });
  if (!(model instanceof EncodecModel)) {
    await model.dispose();
    throw new UsageError(`--model ${name}: a ${model.family} model, not EnCodec`);
  }
  return model;
}

export async function run(argv: string[], tools: CommandTools): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== "compress" && action !== "decompress") throw new UsageError(`encodec: expected "compress" or "decompress", got ${action === undefined ? "nothing" : `"${action}"`}`);
  const { files, flags } = positional(rest);
  if (files.length !== 2) throw new UsageError(`encodec ${action}: expected IN and OUT, got ${files.length} file${files.length === 1 ? "" : "s"}`);
  const { values } = parseFlags(flags, { model: { type: "string" }, bandwidth: { type: "string" }, hq: { type: "boolean" }, device: { type: "string" } });
  const device = typeof values.device === "string" ? values.device : undefined;
  const [input, output] = files as [string, string];
  if (action === "compress") {
    const bandwidth = typeof values.bandwidth === "string" ? (ENCODEC_OPTIONS[0]!.parse!(values.bandwidth) as number) : DEFAULT_BANDWIDTH;
    const model = await openModel(tools, typeof values.model === "string" ? values.model : values.hq === true ? "encodec_48khz" : "encodec_24khz", device);
    try {
      const audio = await loadAudio(input, audioFormatOf(model));
      tools.writeOutput(output, await compressEcdc(model, audio, { bandwidth }));
    } finally {
      await model.dispose();
    }
  } else {
    if (values.bandwidth !== undefined || values.hq !== undefined) throw new UsageError("encodec decompress: --bandwidth and --hq are compress's; the file says its model and rows");
    const bytes = readFileSync(input);
    const { meta } = decodeEcdcHeader(bytes, input);
    const model = await openModel(tools, typeof values.model === "string" ? values.model : meta.model, device);
    try {
      const { audio } = await decompressEcdc(model, bytes, input);
      tools.writeOutput(output, encodeWav(audio, model.sampleRate, "s16", model.channels));
    } finally {
      await model.dispose();
    }
  }
  process.stderr.write(`${action}ed ${input} into ${output}\n`);
  return 0;
}
