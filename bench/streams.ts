/**
 * `npm run bench:streams`: what the session streams and packed frames buy. One version's (a),
 * the CLI's extraction path, with one stream (every core on one session) and with the default
 * streams, interleaved round robin with (b2), the released file one utterance at a time on all
 * cores; medians and ratios. Takes the benchmark's flags (--quick, --versions with one version,
 * --repeats, --cache) and reuses its cached models and workload.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readWavScp } from "../src/audio/wavScp.js";
import { defaultCacheDir } from "../src/hub/cacheDir.js";
import { FULL_SIZE } from "../src/models/s3/randomWeights.js";
import { parseBenchArgs } from "./args.js";
import { ensureBenchModel } from "./benchModels.js";
import { median } from "./stats.js";
import { openExtraction, openReleased, type Variant, type VariantInputs } from "./variants.js";
import { ensureWorkload, workloadSpec } from "./workload.js";

const options = parseBenchArgs(process.argv.slice(2));
if (options === "help") {
  process.stdout.write("npm run bench:streams -- [--quick] [--versions v2] [--repeats N] [--cache DIR]\n");
  process.exit(0);
}
const key = options.versions.length === 1 ? options.versions[0]! : "v2";
const log = (line: string) => process.stderr.write(`bench:streams: ${line}\n`);
const cacheDir = options.cache ? resolve(options.cache) : join(defaultCacheDir(undefined), "bench");
const workload = ensureWorkload(cacheDir, workloadSpec(options.quick), log);
const entries = await readWavScp(workload.scp);
const shape = FULL_SIZE[key];
const shortest = workload.utterances.reduce((best, u) => (u.samples < best.samples ? u : best));
const workDir = mkdtempSync(join(tmpdir(), "s3tok-bench-streams-"));
const inputs: VariantInputs = {
  modelPath: await ensureBenchModel(cacheDir, key, log),
  nMels: shape.nMels,
  tokenRate: 100 / (shape.conv1Stride * 2),
  entries,
  utterances: workload.utterances,
  warmup: { utterance: shortest, entry: entries.find((e) => e.key === shortest.key)! },
  workDir,
  runtime: options.runtime,
};

// Opened in this order every time: a session's speed depends a little on what was created before it.
const variants: [string, Variant][] = [
  ["one stream (all cores)", await openExtraction("a", { ...inputs, workDir: join(workDir, "one") }, { streams: 1 })],
  ["default streams", await openExtraction("a", { ...inputs, workDir: join(workDir, "default") }, {})],
  ["(b2) released, all cores", await openReleased("b2", inputs)],
];
const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
try {
  for (let repeat = 0; repeat < options.repeats; repeat++) {
    for (let i = 0; i < variants.length; i++) {
      const [name, variant] = variants[(i + repeat) % variants.length]!;
      const { seconds } = await variant.run();
      times.get(name)!.push(seconds);
      log(`${key} repeat ${repeat + 1}: ${name} ${seconds.toFixed(2)} s`);
    }
  }
} finally {
  for (const [, variant] of variants) await variant.dispose();
  rmSync(workDir, { recursive: true, force: true });
}
const b2 = median(times.get("(b2) released, all cores")!);
process.stdout.write(`\n${key}, ${workload.audioSeconds.toFixed(1)} s of audio, ${options.repeats} repeats (medians)\n\n| variant | xRT | over (b2) |\n| --- | --- | --- |\n`);
for (const [name, seconds] of times) {
  const m = median(seconds);
  process.stdout.write(`| ${name} | ${(workload.audioSeconds / m).toFixed(1)} | ${(b2 / m).toFixed(3)} |\n`);
}
