/**
 * The fixed workload: seeded speech-like WAV files of real utterance lengths, written once into
 * the cache directory and reused. A manifest written after the last file marks a complete set;
 * without a matching one the set is written again.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SAMPLE_RATE } from "../src/features/constants.js";
import { frameCount } from "../src/features/logMel.js";
import { seededRandom } from "./random.js";
import { synthesizeSpeech } from "./speechSignal.js";
import { encodeWav } from "../src/audio/wavWrite.js";

export interface WorkloadSpec {
  name: "full" | "quick";
  seed: number;
  /** Utterances spread evenly (stratified, then shuffled) over SHORT_RANGE_S. */
  shortCount: number;
  /** Utterances over 30 s, which go through the long-audio windows. */
  longSeconds: readonly number[];
}

/** The everyday range of read and conversational speech corpora. */
export const SHORT_RANGE_S = [2, 20] as const;
/** The utterance the first-token measurement tokenizes. */
export const FIRST_TOKEN_SECONDS = 2;
const WORKLOAD_SEED = 20240917;

export function workloadSpec(quick: boolean): WorkloadSpec {
  // The quick set is a quarter of the full one: 16 + 1 instead of 64 + 4; its long utterance
  // has three windows, so the merge of long audio is still exercised.
  return quick
    ? { name: "quick", seed: WORKLOAD_SEED, shortCount: 16, longSeconds: [62] }
    : { name: "full", seed: WORKLOAD_SEED, shortCount: 64, longSeconds: [35, 48, 62, 75] };
}

export interface Utterance {
  key: string;
  path: string;
  samples: number;
}

export interface Workload {
  spec: WorkloadSpec;
  dir: string;
  /** The Kaldi list of every utterance, in the (shuffled) order a real list would have. */
  scp: string;
  /** A one-line list with a FIRST_TOKEN_SECONDS utterance. */
  firstTokenScp: string;
  utterances: Utterance[];
  audioSeconds: number;
  /** Mel frames of each utterance (what the model sees). */
  melFrames: number[];
}

interface Manifest {
  spec: WorkloadSpec;
  utterances: { key: string; file: string; samples: number }[];
  firstToken: { file: string; samples: number };
}

/** Keys and lengths (samples), deterministic from the spec. */
function plannedUtterances(spec: WorkloadSpec): { key: string; samples: number }[] {
  const random = seededRandom(spec.seed);
  const [low, high] = SHORT_RANGE_S;
  const seconds = Array.from({ length: spec.shortCount }, (_, i) => low + ((high - low) * (i + random.uniform())) / spec.shortCount);
  random.shuffle(seconds);
  // Long utterances at seeded places among the short ones, not bunched at one end.
  for (const long of spec.longSeconds) seconds.splice(Math.floor(random.uniform() * (seconds.length + 1)), 0, long);
  return seconds.map((s, i) => ({ key: `bench_${String(i).padStart(3, "0")}`, samples: Math.round(s * 100) * (SAMPLE_RATE / 100) }));
}

function wavBytes(samples: number): number {
  return 44 + 2 * samples;
}

function readManifest(path: string): Manifest | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Manifest;
  } catch {
    return null;
  }
}

function isComplete(manifest: Manifest | null, spec: WorkloadSpec, planned: { key: string; samples: number }[], dir: string): boolean {
  if (!manifest || JSON.stringify(manifest.spec) !== JSON.stringify(spec)) return false;
  if (manifest.utterances.length !== planned.length) return false;
  const files = [...manifest.utterances, manifest.firstToken];
  const sizesOk = files.every((u) => existsSync(join(dir, u.file)) && statSync(join(dir, u.file)).size === wavBytes(u.samples));
  return sizesOk && manifest.utterances.every((u, i) => u.key === planned[i]!.key && u.samples === planned[i]!.samples);
}

/** The workload of `spec` under `cacheDir`, written first when it is missing or incomplete. */
export function ensureWorkload(cacheDir: string, spec: WorkloadSpec, log: (line: string) => void): Workload {
  const dir = join(cacheDir, "workload", `${spec.name}-seed${spec.seed}`);
  const manifestPath = join(dir, "manifest.json");
  const planned = plannedUtterances(spec);
  let manifest = readManifest(manifestPath);
  if (!isComplete(manifest, spec, planned, dir)) {
    log(`writing the ${spec.name} workload (${planned.length} utterances) to ${dir}`);
    mkdirSync(dir, { recursive: true });
    const utterances = planned.map((u, i) => {
      // One generator per utterance, so each file depends only on the seed and its index.
      const audio = synthesizeSpeech(u.samples / SAMPLE_RATE, seededRandom(spec.seed + 1 + i * 7919));
      writeFileSync(join(dir, `${u.key}.wav`), encodeWav(audio, SAMPLE_RATE));
      return { key: u.key, file: `${u.key}.wav`, samples: u.samples };
    });
    const firstSamples = FIRST_TOKEN_SECONDS * SAMPLE_RATE;
    writeFileSync(join(dir, "first_token.wav"), encodeWav(synthesizeSpeech(FIRST_TOKEN_SECONDS, seededRandom(spec.seed - 1)), SAMPLE_RATE));
    writeFileSync(join(dir, "wav.scp"), utterances.map((u) => `${u.key} ${join(dir, u.file)}\n`).join(""));
    writeFileSync(join(dir, "first_token.scp"), `first_token ${join(dir, "first_token.wav")}\n`);
    manifest = { spec, utterances, firstToken: { file: "first_token.wav", samples: firstSamples } };
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + "\n"); // last: marks the set complete
  }
  const utterances = manifest!.utterances.map((u) => ({ key: u.key, path: join(dir, u.file), samples: u.samples }));
  return {
    spec,
    dir,
    scp: join(dir, "wav.scp"),
    firstTokenScp: join(dir, "first_token.scp"),
    utterances,
    audioSeconds: utterances.reduce((sum, u) => sum + u.samples, 0) / SAMPLE_RATE,
    melFrames: utterances.map((u) => frameCount(u.samples)),
  };
}
