/**
 * Variants (a) and (d) of a tokenizer family: files to codes as the CLI does it (each entry
 * decoded by the CLI's audio reader, then the loaded model's encode, which batches as it sees
 * fit), and codes back to audio. Shared by the timed runs and the peak-memory child, so both do
 * the same work.
 */
import type { ScpEntry } from "../src/audio/wavScp.js";
import { loadAudio } from "../src/audio/loadAudio.js";
import type { Codes, SpeechTokenizerModel } from "../src/family/types.js";
import { secondsSince } from "./stats.js";

export interface EncodeOutcome {
  seconds: number;
  /** Codes per key, in the entries' order. */
  codes: Map<string, Codes>;
}

/** One timed encode of `entries` (audio reading included, as the CLI's clock would see it). */
export async function encodeEntries(model: SpeechTokenizerModel, entries: readonly ScpEntry[]): Promise<EncodeOutcome> {
  const pipes = entries.filter((e) => e.isPipe).map((e) => e.key);
  if (pipes.length > 0) throw new Error(`the family benchmark reads files only; pipe entries: ${pipes.join(", ")}`);
  const start = performance.now();
  const audio = await Promise.all(entries.map((entry) => loadAudio(entry.path))); // each [samples] at 16 kHz
  const codes = await model.encode(audio);
  const seconds = secondsSince(start);
  return { seconds, codes: new Map(entries.map((entry, i) => [entry.key, codes[i]!])) };
}

/** One timed decode of every utterance's codes; returns seconds. */
export async function decodeCodes(model: SpeechTokenizerModel, codes: readonly Codes[]): Promise<number> {
  if (!model.decode) throw new Error(`${model.family} has no decoder`);
  const start = performance.now();
  await model.decode(codes);
  return secondsSince(start);
}

/** Codes as flat rows (row-major [codebooks · frames]) per key: the form the miss-rate check compares. */
export function flatCodes(codes: Map<string, Codes>): Map<string, number[]> {
  return new Map([...codes].map(([key, c]) => [key, Array.from(c.data)]));
}

/** Upstream's codes (key → rows of frames) in the same flat form. */
export function flatRows(rows: Record<string, number[][]>): Map<string, number[]> {
  return new Map(Object.entries(rows).map(([key, r]) => [key, r.flat()]));
}
