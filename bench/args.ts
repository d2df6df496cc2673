/** The benchmark's command line. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DeviceUnavailableError } from "../src/errors.js";
import { selectDevice, type RuntimeOptions } from "../src/runtime/session.js";
import { isVersionKey, VERSION_KEYS, type VersionKey } from "./benchModels.js";
import { ENCODEC_KEYS, FAMILY_KEYS, isEncodecKey, isFamilyKey, type EncodecKey, type FamilyKey } from "./familyModels.js";
import type { UpstreamCheckouts } from "./upstreamAdapters.js";

export interface BenchOptions {
  json: string | undefined;
  quick: boolean;
  /** S3 versions asked for. */
  versions: VersionKey[];
  /** Other families asked for (by --versions too). */
  families: FamilyKey[];
  /** EnCodec releases asked for (by --versions too). */
  encodec: EncodecKey[];
  /** --versions as given (S3 versions and families), the order of the report. */
  order: (VersionKey | FamilyKey | EncodecKey)[];
  /** The upstream checkouts, for the families' (u); null leaves that (u) out. */
  upstream: UpstreamCheckouts;
  /** A facebookresearch/encodec checkout, for EnCodec's (u); null leaves it out. */
  upstreamEncodec: string | null;
  /** The Python that runs upstream (needs torch). */
  python: string;
  repeats: number;
  cache: string | undefined;
  /** Where (a), fast, (b1) and (b2) run; "cpu" by default. */
  runtime: Pick<RuntimeOptions, "device" | "deviceId">;
  /** The device as given (e.g. "cuda:1"), for the CLI children. */
  deviceFlag: string;
  /** The browser column (v2, speechtokenizer) in headless Chromium; off with --no-browser. */
  browser: boolean;
  /** Only the CLI's start-up to its first tokens, for every model asked for (no throughput rounds). */
  firstTokenOnly: boolean;
}

const ALL_KEYS = [...VERSION_KEYS, ...FAMILY_KEYS, ...ENCODEC_KEYS];
const isBenchKey = (v: string) => isVersionKey(v) || isFamilyKey(v) || isEncodecKey(v);

export const BENCH_HELP = `npm run bench -- [--quick] [--versions ${ALL_KEYS.join(",")}] [--repeats N] [--json FILE] [--cache DIR] [--device D]
                    [--upstream-speechtokenizer DIR] [--upstream-funcodec DIR]
                    [--upstream-repcodec DIR --upstream-whisper DIR] [--upstream-encodec DIR]
                    [--python PATH] [--no-browser]
                    [--first-token-only]

Measures, per model version (full-size, random weights), side by side and interleaved:
  (a)  this project end to end (files → tokens, the CLI's extraction path)
  (b1) the released-layout file run one utterance at a time, 1 onnxruntime thread
  (b2) the same with all cores
  (c)  onnxruntime's fp32 MatMul ceiling on the model's shapes, all cores
and (a)'s peak memory and the CLI's start-up time to the first token. For speechtokenizer,
funcodec, repcodec_whisper and repcodec_hubert (released sizes, random weights):
  (a)  encode, files → codes through the CLI's path (funcodec: all 32 rows = bit width 8000;
       repcodec_hubert: the model opened by its library call, the CLI does not load it yet)
  fast (a) in the int8 fast mode (repcodec_whisper, repcodec_hubert)
  (d)  decode of (a)'s codes (not RepCodec: it has no audio decoder)
  (u)  upstream PyTorch's encode (and decode) at batch 1, same threads, given its checkout(s)
and the CLI's start-up time to the first token, as for the S3 versions. For encodec_24khz and
encodec_48khz (released sizes, random weights; the workload at 24 kHz mono / 48 kHz stereo):
  (a)  encode at the top bandwidth (32 / 16 rows), (d) decode of (a)'s codes, and
  (u)  upstream PyTorch's encode and decode at batch 1, same threads, given its checkout

  --quick        a quarter of the workload (16 + 1 utterances instead of 64 + 4)
  --versions L   comma-separated subset (default: all)
  --repeats N    timed runs per variant (default 3); min and median are reported
  --json FILE    also write the results as JSON
  --cache DIR    models and audio (default: $S3TOKENIZER_CACHE/bench, else ~/.cache/s3tokenizer/bench)
  --upstream-speechtokenizer DIR
                 a ZhangXInFD/SpeechTokenizer checkout (commit 30c96fb) for (u)
  --upstream-funcodec DIR
                 an alibaba-damo-academy/FunCodec checkout (commit 3435d87) for funcodec's (u)
  --upstream-repcodec DIR, --upstream-whisper DIR
                 mct10/RepCodec (8a55967) and openai/whisper (c0d2f62) checkouts, both, for
                 repcodec_whisper's (u); --upstream-repcodec alone for repcodec_hubert's (u)
                 (HuBERT by torchaudio: Debian's python3-torchaudio)
  --upstream-encodec DIR
                 a facebookresearch/encodec checkout (commit 0e2d0ae) for encodec_*'s (u)
  --python PATH  the Python with torch that runs upstream (default: python3)
  --first-token-only
                 only the CLI's start-up to its first tokens (one 2 s utterance, the converted
                 model cached by an unmeasured first start; median of --repeats starts) for
                 every model asked for: no throughput rounds, memory or browser column
  --no-browser   leave out the browser column: v2 and speechtokenizer in headless Chromium
                 (the page, WebAssembly, 2 threads, cross-origin isolated), one timed pass, beside
                 (a); with the page's download size and its time to first token on a cached model
  --device D     cpu (default), cuda, cuda:N or webgpu: (a), fast, (b1) and (b2) run there, (b1)
                 and (b2) as CosyVoice runs the released file on that device, one utterance at a
                 time; (c) is a CPU figure and is left out on a GPU`;

export class BenchUsageError extends Error {}

/** Per checkout flag: the benchmarks it serves, a file its checkout holds, and what it is. */
const CHECKOUTS = {
  "upstream-speechtokenizer": { keys: ["speechtokenizer"], file: join("speechtokenizer", "model.py"), what: "a ZhangXInFD/SpeechTokenizer checkout" },
  "upstream-funcodec": { keys: ["funcodec"], file: join("funcodec", "bin", "codec_inference.py"), what: "an alibaba-damo-academy/FunCodec checkout" },
  "upstream-repcodec": { keys: ["repcodec_whisper", "repcodec_hubert"], file: join("repcodec", "tokenize.py"), what: "a mct10/RepCodec checkout" },
  "upstream-whisper": { keys: ["repcodec_whisper"], file: join("whisper", "audio.py"), what: "an openai/whisper checkout" },
  "upstream-encodec": { keys: ["encodec_24khz", "encodec_48khz"], file: join("encodec", "model.py"), what: "a facebookresearch/encodec checkout" },
} as const satisfies Record<string, { keys: readonly (FamilyKey | EncodecKey)[]; file: string; what: string }>;

/** A checkout flag's folder, checked: one of its benchmarks is asked for and the folder is that checkout. */
function checkoutFlag(flag: keyof typeof CHECKOUTS, dir: string | null, order: readonly string[]): string | null {
  if (dir === null) return null;
  const { keys, file, what } = CHECKOUTS[flag];
  if (!keys.some((key) => order.includes(key))) throw new BenchUsageError(`--${flag} is for the ${keys.join(" or ")} benchmark; add ${keys.join(" or ")} to --versions`);
  if (!existsSync(join(dir, file))) throw new BenchUsageError(`--${flag} ${dir}: no ${file} there (expected ${what})`);
  return dir;
}

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
      "upstream-funcodec": { type: "string" },
      "upstream-repcodec": { type: "string" },
      "upstream-whisper": { type: "string" },
      "upstream-encodec": { type: "string" },
      python: { type: "string", default: "python3" },
      "no-browser": { type: "boolean", default: false },
      "first-token-only": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) throw new BenchUsageError(`--repeats must be a positive integer, got "${values.repeats}"`);
  const order = values.versions === undefined ? [...ALL_KEYS] : values.versions.split(",").map((v) => v.trim()).filter(Boolean);
  const unknown = order.filter((v) => !isBenchKey(v));
  if (unknown.length > 0 || order.length === 0) {
    throw new BenchUsageError(`--versions takes a comma-separated list of ${ALL_KEYS.join(", ")}; got "${values.versions}"`);
  }
  const firstTokenOnly = values["first-token-only"];
  const givenCheckout = (Object.keys(CHECKOUTS) as (keyof typeof CHECKOUTS)[]).find((flag) => values[flag] !== undefined);
  if (firstTokenOnly && givenCheckout !== undefined) {
    throw new BenchUsageError(`--${givenCheckout} is for the throughput rounds; --first-token-only measures the CLI's start-up alone`);
  }
  const checkout = (flag: keyof typeof CHECKOUTS) => checkoutFlag(flag, values[flag] ?? null, order);
  const upstream: UpstreamCheckouts = {
    speechtokenizer: checkout("upstream-speechtokenizer"), funcodec: checkout("upstream-funcodec"),
    repcodec: checkout("upstream-repcodec"), whisper: checkout("upstream-whisper"),
  };
  // repcodec_whisper's upstream needs both checkouts (repcodec_hubert's only RepCodec's).
  const whisperAlone = upstream.whisper !== null && upstream.repcodec === null;
  const repcodecWithoutWhisper = upstream.repcodec !== null && upstream.whisper === null && !order.includes("repcodec_hubert");
  if (whisperAlone || repcodecWithoutWhisper) {
    throw new BenchUsageError("--upstream-repcodec and --upstream-whisper go together: repcodec_whisper's upstream needs both checkouts");
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
    versions: order.filter(isVersionKey), families: order.filter(isFamilyKey), encodec: order.filter(isEncodecKey),
    order: order as (VersionKey | FamilyKey | EncodecKey)[], upstream, upstreamEncodec: checkout("upstream-encodec"), python: values.python, browser: !values["no-browser"], firstTokenOnly,
  };
}
