/** The benchmark's command line. */
import { parseArgs } from "node:util";
import { DeviceUnavailableError } from "../src/errors.js";
import { selectDevice, type RuntimeOptions } from "../src/runtime/session.js";
import { isVersionKey, VERSION_KEYS, type VersionKey } from "./benchModels.js";

export interface BenchOptions {
  json: string | undefined;
  quick: boolean;
  versions: VersionKey[];
  repeats: number;
  cache: string | undefined;
  /** Where (a), fast, (b1) and (b2) run; "cpu" by default. */
  runtime: Pick<RuntimeOptions, "device" | "deviceId">;
  /** The device as given (e.g. "cuda:1"), for the CLI children. */
  deviceFlag: string;
}

export const BENCH_HELP = `npm run bench -- [--quick] [--versions ${VERSION_KEYS.join(",")}] [--repeats N] [--json FILE] [--cache DIR] [--device D]

Measures, per model version (full-size, random weights), side by side and interleaved:
  (a)  this project end to end (files → tokens, the CLI's extraction path)
  (b1) the released-layout file run one utterance at a time, 1 onnxruntime thread
  (b2) the same with all cores
  (c)  onnxruntime's fp32 MatMul ceiling on the model's shapes, all cores
and (a)'s peak memory and the CLI's start-up time to the first token.

  --quick        a quarter of the workload (16 + 1 utterances instead of 64 + 4)
  --versions L   comma-separated subset (default: all)
  --repeats N    timed runs per variant (default 3); min and median are reported
  --json FILE    also write the results as JSON
  --cache DIR    models and audio (default: $S3TOKENIZER_CACHE/bench, else ~/.cache/s3tokenizer/bench)
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
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) throw new BenchUsageError(`--repeats must be a positive integer, got "${values.repeats}"`);
  const versions = values.versions === undefined ? [...VERSION_KEYS] : values.versions.split(",").map((v) => v.trim()).filter(Boolean);
  const unknown = versions.filter((v) => !isVersionKey(v));
  if (unknown.length > 0 || versions.length === 0) {
    throw new BenchUsageError(`--versions takes a comma-separated list of ${VERSION_KEYS.join(", ")}; got "${values.versions}"`);
  }
  let runtime;
  try {
    runtime = selectDevice(values.device);
  } catch (error) {
    if (error instanceof DeviceUnavailableError) throw new BenchUsageError(`--device: ${error.message}`);
    throw error;
  }
  return { json: values.json, quick: values.quick, versions: versions as VersionKey[], repeats, cache: values.cache, runtime, deviceFlag: values.device };
}
