/**
 * Helpers for the codec families' command-line tests: fixture clips written as float32 WAVs with
 * their wav.scp, decoded WAVs read back, reference codes as rows, and the max abs difference.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadAudio } from "../../src/audio/loadAudio.js";
import { wavBytes } from "./audioWriters.js";
import { readNpy, readNpyF32 } from "./npy.js";

/** Writes each clip (16 kHz float32 samples) as `dir/<clip>.wav` (IEEE float, so nothing is lost) and returns the wav.scp path. */
export function writeFloatWavs(dir: string, clips: ReadonlyMap<string, Float32Array>): string {
  const lines: string[] = [];
  for (const [key, samples] of clips) {
    const path = join(dir, `${key}.wav`);
    writeFileSync(path, wavBytes({ rate: 16_000, tag: 3, bits: 32, channels: [samples] }));
    lines.push(`${key} ${path}`);
  }
  const scp = join(dir, "wav.scp");
  writeFileSync(scp, lines.join("\n") + "\n");
  return scp;
}

/** The samples of `<clip>.npy` under `dir/inputs` (float32 [L]). */
export function inputClip(dir: string, clip: string): Float32Array {
  return readNpyF32(join(dir, "inputs", `${clip}.npy`)).data;
}

/** Rows [n_q][T] of reference codes stored as (n_q, 1, T) int64. */
export function referenceRows(path: string): number[][] {
  const { shape, data } = readNpy(path);
  const [rows, , frames] = shape as [number, number, number];
  return Array.from({ length: rows }, (_, r) => Array.from({ length: frames }, (_, t) => Number(data[r * frames + t]!)));
}

/** A decoded WAV's samples (a float32 WAV reads back exactly). */
export function readWav(path: string): Promise<Float32Array> {
  return loadAudio(path);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
