/**
 * `s3tokenizer serve`: the online tokenizer over HTTP (src/serve). Runs until SIGTERM or SIGINT,
 * then stops accepting, answers every request it has, and exits 0. A second signal exits at once.
 */
import { UsageError } from "../errors.js";
import { DEFAULT_MAX_AUDIO_SECONDS } from "../serve/service.js";
import { startServe, type ServeOptions } from "../serve/serve.js";
import { selectDevice } from "../runtime/session.js";
import { DEFAULT_BODY_PACE } from "../serve/bodyPace.js";
import { BATCH_BUDGET_ALIAS_HELP, BATCH_BUDGET_FLAGS, batchBudgetFlag, HUB_FLAGS, HUB_FLAGS_HELP, hubOptions, integerFlag, parseFlags, parseMode, requireFlag } from "./args.js";
import { batchBudgetHelp, familyFlagsHelp, familyFlagTable, familyLoadOptions, givenFamilyOptions } from "./familyFlags.js";
import { FAMILIES } from "../registry/families.js";
import { ownedOptions } from "../family/options.js";

/** Where each flag's text starts. */
const COLUMN = 22;

/** The query parameters the families declare, and the families that take each ("bit_width=B (FunCodec)"). */
function queryHelp(): string {
  const byName = new Map<string, { placeholder: string; titles: string[] }>();
  for (const { option, owner } of ownedOptions(FAMILIES)) {
    if (option.query === undefined) continue;
    const entry = byName.get(option.query.name) ?? { placeholder: option.placeholder ?? "N", titles: [] };
    byName.set(option.query.name, { ...entry, titles: [...entry.titles, owner.title] });
  }
  return [...byName].map(([name, { placeholder, titles }]) => `; ${name}=${placeholder} (${titles.join(", ")})`).join("");
}

/** The families without a decoder to audio, whose models answer /v1/detokenize with 501. */
function familiesWithoutDecoder(): string {
  return FAMILIES.filter((family) => !family.decodes).map((family) => family.title).join(", ");
}

export const SERVE_HELP = `s3tokenizer serve --model NAME|PATH [options]

Tokenizes audio over HTTP. Requests that arrive close together go through the model together
(dynamic batching); each answer equals the tokens of that audio alone.

  POST /v1/tokenize   body: an audio file (WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus), or raw
                      little-endian mono samples with ?sample_rate=R&format=pcm16|f32
                      answer: {"code": [...], "code_len": N, "model": ..., "token_rate": 25|50, "audio_s": S,
                      "codebooks": 1, "frame_rate": 25|50} (a multi-row family: "code" is [[row 0], ...];
                      "first_codebook" and "scale" when the codes carry them)
                      query: n_q=N rows${queryHelp()}
  POST /v1/detokenize body: {"code": [[row 0], ...], "first_codebook"?: S, "scale"?: x} (a tokenize
                      answer as it is); answer: audio/wav, 16-bit PCM (?format=f32: float); 501 for a
                      family without a decoder (${familiesWithoutDecoder()})
  GET  /healthz       200 while the process is alive
  GET  /readyz        200 once the model is loaded and warmed up, else 503
  GET  /metrics       Prometheus metrics

Options (snake_case or kebab-case):
  --device cpu|cuda|cuda:N|webgpu   execution device (default cpu)
  --host H            address to listen on (default 127.0.0.1)
  --port P            port (default 8080; 0 picks a free one)
  --max_wait_ms W     longest a request waits for others to share its batch (default 10)
${batchBudgetHelp("--max_batch_frames F", COLUMN, ["a batch gathers up to 4 x F", BATCH_BUDGET_ALIAS_HELP])}
  --streams S         model sessions running batches side by side (default 2 on a CPU, 1 on a GPU)
  --max_audio_s S     longest audio per request in seconds (default ${DEFAULT_MAX_AUDIO_SECONDS}); longer: 413
  --max_body_mb M     largest request body in MiB (default 32); larger: 413
  --max_queue Q       most requests received and not yet running in the model (default 128); more: 503
  --deadline_ms D     a request not answered within D ms gets 504 and its work is dropped (default 60000)
  --token_file FILE   require "Authorization: Bearer <token>" (token = the file's content) on every
                      route but /healthz and /readyz; 401 otherwise
  --insecure          allow a non-loopback --host without --token_file
  --allow_ffmpeg      decode other containers (MP4/M4A, WebM, AIFF...) with ffmpeg; off by default
  --feature_workers N decoding/log-mel threads (default: cores / 4, 1 to 4; 0 = on the main thread)
  --mode exact|fast   exact (default): the released files' tokens; fast: int8 projections
${familyFlagsHelp("serve", COLUMN)}
  --body_idle_ms T    a request body with no byte for T ms gets 408 and is closed (default 10000)
  --body_min_bps B    a body averaging under B bytes/s after its first 5 s gets 408 (default 16384;
                      0 turns the rate limit off). Bodies still arriving hold no --max_queue slot.
  --headers_timeout_ms T  request headers not complete within T ms get 408 (default 10000)

Models by name are downloaded once into the cache and verified:
${HUB_FLAGS_HELP}

Exit codes: 0 after a graceful shutdown (SIGTERM/SIGINT); 2 usage errors, an unsafe --host, or a
model that cannot be loaded.`;

function positiveNumber(values: Record<string, unknown>, name: string, fallback: number): number {
  const value = values[name];
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new UsageError(`--${name.replace(/-/g, "_")} must be a positive number, got "${String(value)}"`);
  return parsed;
}

/** Like integerFlag, but 0 is allowed (--port 0, --feature_workers 0). */
function countFlag(values: Record<string, unknown>, name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new UsageError(`--${name.replace(/-/g, "_")} must be a non-negative integer, got "${String(value)}"`);
  return parsed;
}

export function parseServeOptions(argv: string[]): ServeOptions {
  const { values } = parseFlags(argv, {
    model: { type: "string" },
    device: { type: "string", default: "cpu" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string" },
    "max-wait-ms": { type: "string" },
    ...BATCH_BUDGET_FLAGS,
    streams: { type: "string" },
    "max-audio-s": { type: "string" },
    "max-body-mb": { type: "string" },
    "max-queue": { type: "string" },
    "deadline-ms": { type: "string" },
    "token-file": { type: "string" },
    insecure: { type: "boolean", default: false },
    "allow-ffmpeg": { type: "boolean", default: false },
    "feature-workers": { type: "string" },
    mode: { type: "string", default: "exact" },
    "body-idle-ms": { type: "string" },
    "body-min-bps": { type: "string" },
    "headers-timeout-ms": { type: "string" },
    ...familyFlagTable("serve"),
    ...HUB_FLAGS,
  });
  const { device, deviceId } = selectDevice(String(values.device));
  const port = countFlag(values, "port") ?? 8080;
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const maxWaitMs = countFlag(values, "max-wait-ms") ?? 10;
  const given = givenFamilyOptions(values, "serve");
  return {
    // The loader's options the families' flags set (S3's longAudioCompat), which startServe passes on.
    ...familyLoadOptions(given),
    familyLoad: familyLoadOptions(given),
    model: requireFlag(values, "model"),
    device,
    deviceId,
    host: String(values.host),
    port,
    maxWaitMs,
    maxBatchFrames: batchBudgetFlag(values),
    streams: integerFlag(values, "streams"),
    maxAudioSeconds: positiveNumber(values, "max-audio-s", DEFAULT_MAX_AUDIO_SECONDS),
    maxBodyBytes: Math.floor(positiveNumber(values, "max-body-mb", 32) * 2 ** 20),
    maxQueue: integerFlag(values, "max-queue") ?? 128,
    deadlineMs: integerFlag(values, "deadline-ms") ?? 60_000,
    tokenFile: values["token-file"] as string | undefined,
    insecure: Boolean(values.insecure),
    allowFfmpeg: Boolean(values["allow-ffmpeg"]),
    featureWorkers: countFlag(values, "feature-workers"),
    hub: hubOptions(values),
    mode: parseMode(values.mode),
    bodyPace: {
      idleMs: integerFlag(values, "body-idle-ms") ?? DEFAULT_BODY_PACE.idleMs,
      minBytesPerSecond: countFlag(values, "body-min-bps") ?? DEFAULT_BODY_PACE.minBytesPerSecond,
      graceMs: DEFAULT_BODY_PACE.graceMs,
    },
    headersTimeoutMs: integerFlag(values, "headers-timeout-ms"),
  };
}

/** Resolves with the first SIGTERM or SIGINT; a second one exits immediately. */
function firstSignal(log: (line: string) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      const force = (again: NodeJS.Signals) => {
        log(`${again} again: exiting without waiting`);
        process.exit(1);
      };
      process.once("SIGTERM", force);
      process.once("SIGINT", force);
      resolve(signal);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

export async function serveCommand(argv: string[]): Promise<number> {
  const log = (line: string) => process.stderr.write(`s3tokenizer serve: ${line}\n`);
  const options = parseServeOptions(argv);
  // Listen for signals before anything slow starts: a SIGTERM during the model load is honoured too.
  const signal = firstSignal(log);
  const handle = await startServe({ ...options, log });
  const outcome = await Promise.race([
    handle.ready.then(() => null, (error: unknown) => ({ error })),
    signal.then(() => null),
  ]);
  if (outcome !== null) {
    await handle.shutdown();
    throw outcome.error;
  }
  const received = await signal;
  log(`${received}: not accepting new connections; finishing ${handle.http.inProgress} request(s) in progress`);
  await handle.shutdown();
  log("stopped");
  return 0;
}
