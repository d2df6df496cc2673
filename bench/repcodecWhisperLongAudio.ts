/**
 * Long-audio check for RepCodec over Whisper at Whisper medium's size (24 blocks, width 1024,
 * random weights: the benchmark's `repcodec_whisper` model, generated into the bench cache when
 * missing): `node dist/bench/repcodecWhisperLongAudio.js [SECONDS] [--fast] [--layer N] [--cache DIR]`
 * loads the model through the family interface as the CLI does (--layer: only the first N of the
 * 24 blocks, as `s3tokenizer --layer N`), prints the load's time and peak RSS,
 * then encodes one utterance of SECONDS seconds (default 600, the longest taken; 0 loads only) of
 * seeded speech-like audio and prints the wall time, x real time and the process's peak RSS
 * (VmHWM, bench/peakRss.ts), with the 1-minute load average before and after (the machine may be
 * shared).
 */
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { load } from "../src/registry/load.js";
import { defaultCacheDir } from "../src/hub/cacheDir.js";
import type { RepCodecFamilyLoadOptions } from "../src/models/repcodec/family.js";
import { ensureFamilyModel } from "./familyModels.js";
import { peakRss } from "./peakRss.js";
import { seededRandom } from "./random.js";
import { synthesizeSpeech } from "./speechSignal.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { fast: { type: "boolean" }, layer: { type: "string" }, cache: { type: "string" } } });
const seconds = Number(positionals[0] ?? 600);
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const mb = (value: number): string => `${value.toFixed(0)} MB`;

const cacheDir = values.cache ? resolve(values.cache) : join(defaultCacheDir(undefined), "bench");
const { dir } = await ensureFamilyModel(cacheDir, "repcodec_whisper", log);
// The audio first, so that its buffer is in the load's figure as in the encode's.
const audio = synthesizeSpeech(seconds, seededRandom(7));
const load1m = loadavg()[0]!;
let started = performance.now();
const options: RepCodecFamilyLoadOptions = { ...(values.fast ? { mode: "fast" } : {}), ...(values.layer === undefined ? {} : { layer: Number(values.layer) }) };
const model = await load(dir, options);
log(`loaded ${dir} (${values.fast ? "fast" : "exact"} mode, layer ${options.layer ?? "24 (all)"}) in ${((performance.now() - started) / 1000).toFixed(1)} s; peak RSS ${mb(peakRss().mb)} (${peakRss().source})`);
if (seconds > 0) {
  started = performance.now();
  const [codes] = await model.encode([audio]);
  const wall = (performance.now() - started) / 1000;
  const distinct = new Set(codes!.data).size;
  log(`${seconds} s: ${codes!.frames} tokens (${distinct} distinct) in ${wall.toFixed(1)} s = ${(seconds / wall).toFixed(2)}x real time; peak RSS ${mb(peakRss().mb)}`);
}
await model.dispose();
log(`load average (1 min) ${load1m.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`);
