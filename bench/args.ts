/** The benchmark's command line. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DeviceUnavailableError } from "../src/errors.js";
import { selectDevice, type RuntimeOptions } from "../src/runtime/session.js";
import { isVersionKey, VERSION_KEYS, type VersionKey } from "./benchModels.js";
import { FAMILY_KEYS, isFamilyKey, type FamilyKey } from "./familyModels.js";

export interface BenchOptions {
  json: string | undefined;
  quick: boolean;
  /** S3 versions asked for. */
  versions: VersionKey[];
  /** Other families asked for (by --versions too). */
  families: FamilyKey[];
  /** --versions as given (S3 versions and families), the order of the report. */
  order: (VersionKey | FamilyKey)[];
  /** SpeechTokenizer's upstream checkout, for (u); null leaves (u) out. */
  upstreamSpeechTokenizer: string | null;
  /** The Python that runs upstream (needs torch). */
  python: string;
  repeats: number;
  cache: string | undefined;
  /** Where (a), fast, (b1) and (b2) run; "cpu" by default. */
  runtime: Pick<RuntimeOptions, "device" | "deviceId">;
  /** The device as given (e.g. "cuda:1"), for the CLI children. */
  deviceFlag: string;
}

const ALL_KEYS = [...VERSION_KEYS, ...FAMILY_KEYS];

export const BENCH_HELP = `npm run bench -- [--quick] [--versions ${ALL_KEYS.join(",")}] [--repeats N] [--json FILE] [--cache DIR] [--device D]
                    [--upstream-speechtokenizer DIR] [--python PATH]

Measures, per model version (full-size, random weights), side by side and interleaved:
  (a)  this project end to end (files → tokens, the CLI's extraction path)
  (b1) the released-layout file run one utterance at a time, 1 onnxruntime thread
  (b2) the same with all cores
  (c)  onnxruntime's fp32 MatMul ceiling on the model's shapes, all cores
and (a)'s peak memory and the CLI's start-up time to the first token. For speechtokenizer
(released size, random weights):
  (a)  encode, files → codes through the family interface; (d) decode of (a)'s codes
  (u)  upstream PyTorch's encode and decode at batch 1, same threads (with --upstream-speechtokenizer)

  --quick        a quarter of the workload (16 + 1 utterances instead of 64 + 4)
  --versions L   comma-separated subset (default: all)
  --repeats N    timed runs per variant (default 3); min and median are reported
  --json FILE    also write the results as JSON
  --cache DIR    models and audio (default: $S3TOKENIZER_CACHE/bench, else ~/.cache/s3tokenizer/bench)
  --upstream-speechtokenizer DIR
                 a ZhangXInFD/SpeechTokenizer checkout (commit 30c96fb) for (u)
  --python PATH  the Python with torch that runs upstream (default: python3)
  --device D     cpu (default), cuda, cuda:N or webgpu: (a), fast, (b1) and (b2) run there, (b1)
                 and (b2) as CosyVoice runs the released file on that device, one utterance at a
                 time; (c) is a CPU figure and is left out on a GPU`;

export class BenchUsageError extends Error {}

export function parseBenchArgs(argv: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "string" },
      quick: { type: "boolean", default: false },
      versions: { type: "string" },
      repeats: { type: "string", default: "3" },
      cache: { type: "string" },
      device: { type: "string", default: "cpu" },
      "upstream-speechtokenizer": { type: "string" },
      python: { type: "string", default: "python3" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) throw new BenchUsageError(`--repeats must be a positive integer, got "${values.repeats}"`);
  const order = values.versions === undefined ? [...ALL_KEYS] : values.versions.split(",").map((v) => v.trim()).filter(Boolean);
  const unknown = order.filter((v) => !isVersionKey(v) && !isFamilyKey(v));
  if (unknown.length > 0 || order.length === 0) {
    throw new BenchUsageError(`--versions takes a comma-separated list of ${ALL_KEYS.join(", ")}; got "${values.versions}"`);
  }
  const upstream = values["upstream-speechtokenizer"] ?? null;
  if (upstream !== null && !order.includes("speechtokenizer")) {
    throw new BenchUsageError("--upstream-speechtokenizer is for the speechtokenizer benchmark; add speechtokenizer to --versions");
  }
  if (upstream !== null && !existsSync(join(upstream, "speechtokenizer", "model.py"))) {
    throw new BenchUsageError(`--upstream-speechtokenizer ${upstream}: no speechtokenizer/model.py there (expected a ZhangXInFD/SpeechTokenizer checkout)`);
  }
  let runtime;
  try {
    runtime = selectDevice(values.device);
  } catch (error) {
    if (error instanceof DeviceUnavailableError) throw new BenchUsageError(`--device: ${error.message}`);
    throw error;
  }
  return {
    json: values.json, quick: values.quick, repeats, cache: values.cache, runtime, deviceFlag: values.device,
    versions: order.filter(isVersionKey), families: order.filter(isFamilyKey), order: order as (VersionKey | FamilyKey)[],
    upstreamSpeechTokenizer: upstream, python: values.python,
  };
}
