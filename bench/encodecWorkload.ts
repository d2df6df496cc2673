/**
 * The EnCodec benchmark's audio: the shared workload's utterances (16 kHz mono speech-like WAVs,
 * workload.ts) brought to a release's input, resampled to its rate with the project's
 * torchaudio-exact resampler and, for the stereo 48 kHz model, a second channel that is the first
 * delayed by 0.5 ms and at 0.8 of its level (a source off the centre), so the two channels differ.
 * Written once beside the workload as float32 `.npy` files of [C, L], `<key>.npy`, which both
 * sides read: this project's (a) and upstream's runner see the very same samples. A manifest
 * written after the last file marks a complete set.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ScpEntry } from "../src/audio/wavScp.js";
import { loadAudio } from "../src/audio/loadAudio.js";
import { resample } from "../src/audio/resample.js";
import { SAMPLE_RATE } from "../src/features/constants.js";
import { openFloatMatrix } from "../src/models/repcodec/npy.js";
import { writeNpyMatrix } from "../test/support/npy.js";
import type { Workload } from "./workload.js";

export interface EncodecInput {
  rate: number;
  channels: number;
}

export interface EncodecUtterance {
  key: string;
  /** float32 [channels, samples] .npy. */
  path: string;
  samples: number;
}

export interface EncodecWorkload {
  dir: string;
  utterances: EncodecUtterance[];
  audioSeconds: number;
}

const MANIFEST = "manifest.json";
/** The second channel: the first, this much later and quieter. */
const STEREO_DELAY_S = 0.0005;
const STEREO_GAIN = 0.8;

/** Planar [channels, L] at `input.rate` from 16 kHz mono samples. */
export function toEncodecInput(samples16k: Float32Array, input: EncodecInput): Float32Array {
  const mono = resample(samples16k, SAMPLE_RATE, input.rate); // [L]
  if (input.channels === 1) return mono;
  const length = mono.length;
  const planar = new Float32Array(input.channels * length); // [C, L]
  planar.set(mono, 0);
  const delay = Math.round(STEREO_DELAY_S * input.rate);
  for (let ch = 1; ch < input.channels; ch++) {
    for (let i = delay; i < length; i++) planar[ch * length + i] = STEREO_GAIN * mono[i - delay]!;
  }
  return planar;
}

/** The workload's utterances at `input`'s rate and channels, written first when missing. */
export async function ensureEncodecWorkload(workload: Workload, entries: readonly ScpEntry[], input: EncodecInput, log: (line: string) => void): Promise<EncodecWorkload> {
  const dir = join(workload.dir, `encodec-${input.rate}hz-${input.channels}ch`);
  const manifestPath = join(dir, MANIFEST);
  const keys = entries.map((e) => e.key);
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as EncodecWorkload;
    if (manifest.utterances.map((u) => u.key).join(",") === keys.join(",")) return manifest;
  }
  log(`writing the workload at ${input.rate} Hz, ${input.channels} channel(s) into ${dir}`);
  mkdirSync(dir, { recursive: true });
  const utterances: EncodecUtterance[] = [];
  for (const entry of entries) {
    const planar = toEncodecInput(await loadAudio(entry.path), input); // [C, L]
    const samples = planar.length / input.channels;
    const path = join(dir, `${entry.key}.npy`); // upstream's runner keys a file by its name
    writeNpyMatrix(path, input.channels, samples, planar);
    utterances.push({ key: entry.key, path, samples });
  }
  const result: EncodecWorkload = { dir, utterances, audioSeconds: utterances.reduce((s, u) => s + u.samples, 0) / input.rate };
  writeFileSync(manifestPath, JSON.stringify(result, null, 1) + "\n");
  return result;
}

/** One utterance's planar samples [C, L] from its .npy, as written. */
export function readEncodecAudio(path: string): Float32Array {
  const matrix = openFloatMatrix(path);
  try {
    return matrix.readRows(0, matrix.rows); // [C, L]
  } finally {
    matrix.close();
  }
}

/** The utterances as the entries upstream's runner takes (key = file name, path). */
export function encodecEntries(utterances: readonly EncodecUtterance[]): ScpEntry[] {
  return utterances.map((u, i) => ({ key: u.key, path: u.path, isPipe: false, line: i + 1 }));
}
