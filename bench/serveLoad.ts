/**
 * `npm run bench:serve`: throughput and latency of `s3tokenizer serve` under load, next to the
 * offline throughput of the same model on the same utterances in the same run.
 *
 *   serve, concurrency C   C autocannon clients POSTing WAV bodies to the service in a child process
 *   offline                S3Tokenizer.quantizeMels over the same utterances in one call (model
 *                          only; features computed beforehand): the batching engine's best case,
 *                          run right before and right after each load level
 *   extraction             the CLI's path (files, decoding, feature workers, batcher), for reference
 *
 * The model is the benchmark's full-size random-weight v2 (bench/benchModels.ts) and the bodies are
 * the 2-20 s utterances of its workload (bench/workload.ts), both cached under --cache. The offline
 * tokenizer is idle while the server works and the other way round: they never share the cores.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { ScpEntry } from "../src/audio/wavScp.js";
import { loadAudio } from "../src/audio/loadAudio.js";
import { SAMPLE_RATE } from "../src/features/constants.js";
import { logMelSpectrogram } from "../src/features/logMel.js";
import { defaultCacheDir } from "../src/hub/cacheDir.js";
import { FULL_SIZE } from "../src/models/s3/randomWeights.js";
import { ensureBenchModel, isVersionKey, VERSION_KEYS, type VersionKey } from "./benchModels.js";
import { CliExtraction } from "./extractRun.js";
import { runLoad, type LoadBody, type LoadResult } from "./loadRun.js";
import { machineInfo } from "./machine.js";
import { startServeProcess } from "./serveProcess.js";
import { ensureWorkload, workloadSpec } from "./workload.js";

const HELP = `npm run bench:serve -- [--version ${VERSION_KEYS.join("|")}] [--concurrency 1,8,32] [--full] [--server_flags="..."] [--cache DIR]

  --version K        model version (default v2)
  --concurrency L    comma-separated client counts (default 1,8,32)
  --full             the full workload's 64 short utterances as bodies (default: the quick set's 16)
  --server_flags=S   extra flags for s3tokenizer serve, e.g. --server_flags="--max_wait_ms 20 --feature_workers 2"
                     (with "=": a value starting with "--" is otherwise taken for a flag)
                     (the benchmark passes --deadline_ms 600000 first; a --deadline_ms here wins)
  --cache DIR        models and audio (default: $S3TOKENIZER_CACHE/bench, else ~/.cache/s3tokenizer/bench)`;

const log = (line: string) => process.stderr.write(`bench:serve: ${line}\n`);
const SHORTEST_WAVE = 16;

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** "504: 6, 200: 58" over all levels. */
function describeStatuses(loads: readonly LoadResult[]): string {
  const counts = new Map<string, number>();
  for (const load of loads) for (const [status, n] of Object.entries(load.statuses)) counts.set(status, (counts.get(status) ?? 0) + n);
  return [...counts].map(([status, n]) => `${status}: ${n}`).join(", ");
}

/** Requests per load level: every body at least once, and at least two waves of the clients. */
function amountFor(connections: number, bodies: number): number {
  return Math.max(bodies, SHORTEST_WAVE, 2 * connections);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      version: { type: "string", default: "v2" },
      concurrency: { type: "string", default: "1,8,32" },
      full: { type: "boolean", default: false },
      "server_flags": { type: "string", default: "" },
      cache: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const version = values.version!;
  if (!isVersionKey(version)) throw new Error(`--version must be one of ${VERSION_KEYS.join(", ")}`);
  const levels = values.concurrency!.split(",").map((c) => Number(c.trim()));
  if (levels.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`--concurrency takes positive integers, got "${values.concurrency}"`);
  // A deadline far beyond any latency here: the benchmark measures throughput, and on a small
  // machine at concurrency 32 queueing alone can pass the service's 60 s default. Flags given win.
  const serverFlags = ["--deadline_ms", "600000", ...values.server_flags!.split(/\s+/).filter(Boolean)];
  const cacheDir = values.cache ? resolve(values.cache) : join(defaultCacheDir(undefined), "bench");

  const modelPath = await ensureBenchModel(cacheDir, version as VersionKey, log);
  const workload = ensureWorkload(cacheDir, workloadSpec(!values.full), log);
  // Real request lengths: the 2-20 s utterances (the long ones are a batch job's, not a request's).
  const utterances = workload.utterances.filter((u) => u.samples <= 20 * SAMPLE_RATE);
  const bodySeconds = utterances.map((u) => u.samples / SAMPLE_RATE);
  if (new Set(bodySeconds).size !== bodySeconds.length) throw new Error("two bodies have the same length; answers could not be told apart");
  const mels = await Promise.all(utterances.map(async (u) => logMelSpectrogram(await loadAudio(u.path), FULL_SIZE[version].nMels, { source: u.path })));

  // The offline tokenizer (the CLI's CPU defaults) stays loaded next to the server, idle while the
  // server works: offline runs bracket every load level, so a machine whose speed drifts (a shared
  // VM) shows as two different offline figures instead of a wrong ratio.
  const extraction = await CliExtraction.open(modelPath);
  const tokenizer = extraction.tokenizer;
  log("offline warm-up: every body once (grows onnxruntime's memory arena for the large shapes)");
  const warm = await tokenizer.quantizeMels(mels);
  const expected = new Map(utterances.map((u, i) => [u.key, warm[i]!]));
  const bodies: LoadBody[] = utterances.map((u) => ({ bytes: readFileSync(u.path), expected: expected.get(u.key)!, audioSeconds: u.samples / SAMPLE_RATE }));
  /** quantizeMels over the utterances of the first `amount` requests of a load level, in one call. */
  const offlineRun = async (amount: number): Promise<number> => {
    const order = Array.from({ length: amount }, (_, i) => mels[i % mels.length]!);
    const start = performance.now();
    await tokenizer.quantizeMels(order);
    return (performance.now() - start) / 1000;
  };

  log(`starting the server: serve --model ${modelPath} ${serverFlags.join(" ")}`);
  const server = await startServeProcess(modelPath, serverFlags, 10 * 60_000);
  const rows: string[][] = [];
  const loads: LoadResult[] = [];
  let exitCode: number | null = null;
  let minRatio = Infinity;
  try {
    for (const connections of levels) {
      const amount = amountFor(connections, bodies.length);
      const before = await offlineRun(amount);
      log(`concurrency ${connections}: ${amount} requests (offline before: ${before.toFixed(1)} s)`);
      const load = await runLoad(server.url, bodies, connections, amount);
      const after = await offlineRun(amount);
      log(`  ${load.wallSeconds.toFixed(1)} s, p50 ${load.p50Ms.toFixed(0)} ms, p99 ${load.p99Ms.toFixed(0)} ms, ${load.failures} failures (offline after: ${after.toFixed(1)} s)`);
      loads.push(load);
      const audio = Array.from({ length: amount }, (_, i) => bodies[i % bodies.length]!.audioSeconds).reduce((a, b) => a + b, 0);
      const served = load.audioSeconds / load.wallSeconds;
      const offline = (2 * audio) / (before + after);
      minRatio = Math.min(minRatio, served / offline);
      rows.push([String(connections), String(load.requests), load.audioSeconds.toFixed(0), load.wallSeconds.toFixed(1), served.toFixed(2),
        `${(audio / before).toFixed(2)} / ${(audio / after).toFixed(2)}`, `${((100 * served) / offline).toFixed(0)}%`,
        load.p50Ms.toFixed(0), load.p99Ms.toFixed(0)]);
    }
  } finally {
    exitCode = await server.stop();
  }

  // The CLI's extraction path on the largest level's utterances, for reference (decoding included).
  const amount = amountFor(Math.max(...levels), bodies.length);
  const entries: ScpEntry[] = Array.from({ length: amount }, (_, i) => {
    const u = utterances[i % utterances.length]!;
    return { key: `${u.key}_${i}`, path: u.path, isPipe: false, line: i + 1 };
  });
  const workDir = mkdtempSync(join(tmpdir(), "s3tok-bench-serve-"));
  let extract: { audioSeconds: number; seconds: number };
  try {
    extract = await extraction.run(entries, workDir);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    await extraction.dispose();
  }

  const machine = machineInfo();
  const failures = loads.reduce((sum, l) => sum + l.failures, 0);
  const misses = loads.reduce((sum, l) => sum + l.misses, 0);
  const tokens = loads.reduce((sum, l) => sum + l.tokens, 0);
  const out = [
    `Machine: ${machine.cpu_model}, ${machine.cores} cores, ${machine.memory_gb} GB; node ${machine.node}, onnxruntime-node ${machine.onnxruntime}`,
    `Model: full-size ${version} (random weights); bodies: ${bodies.length} WAV files of ${Math.min(...bodySeconds).toFixed(1)}-${Math.max(...bodySeconds).toFixed(1)} s; ` +
      `server flags: ${serverFlags.length > 0 ? serverFlags.join(" ") : "defaults"}`,
    "",
    table(["concurrency", "requests", "audio s", "wall s", "served audio s/s", "offline audio s/s (before / after)", "served / offline", "p50 ms", "p99 ms"], rows),
    "",
    `Offline: S3Tokenizer.quantizeMels over the same utterances in one call (features precomputed), right before and after each level.`,
    `For reference, the CLI's extraction path (files, decoding included) on the ${amount} utterances: ${(extract.audioSeconds / extract.seconds).toFixed(2)} audio s/s.`,
    `Answers: ${failures} failed${failures > 0 ? ` (${describeStatuses(loads)})` : ""}; ${misses} of ${tokens} tokens differ from the offline run (${((100 * misses) / Math.max(1, tokens)).toFixed(4)}%). ` +
      `Server exit code after SIGTERM: ${exitCode}. Lowest served/offline ratio: ${(100 * minRatio).toFixed(0)}%.`,
  ];
  process.stdout.write(out.join("\n") + "\n");
  return failures > 0 || exitCode !== 0 ? 1 : 0;
}

// Explicit: onnxruntime's thread pools must not keep the process alive.
process.exit(await main());
