/**
 * Headerless audio bodies: little-endian mono samples at a rate the client names, for callers that
 * already hold samples (a microphone buffer, a TTS output) and should not have to wrap them in WAV.
 */
import { AudioDecodeError, InvalidInputError } from "../errors.js";

export type RawPcmFormat = "pcm16" | "f32";

export interface RawPcmSpec {
  sampleRate: number;
  format: RawPcmFormat;
}

import { MAX_SAMPLE_RATE as MAX_RATE, MIN_SAMPLE_RATE as MIN_RATE } from "../audio/limits.js";

const QUERY_KEYS = new Set(["sample_rate", "format"]);

/**
 * The raw-PCM description in a request's query (`?sample_rate=R&format=pcm16|f32`), or null for a
 * body that carries its own header (any audio file). `format` or `sample_rate` alone, a repeated
 * or an unknown key, is an error: a typo must not silently send samples through the file decoders.
 * `otherKeys` are the route's other parameters (checked for repeats here, read elsewhere).
 */
export function rawPcmSpec(query: URLSearchParams, otherKeys: readonly string[] = []): RawPcmSpec | null {
  for (const key of query.keys()) {
    if (!QUERY_KEYS.has(key) && !otherKeys.includes(key)) {
      throw new InvalidInputError(`unknown query parameter "${key}"; expected ${["sample_rate", "format", ...otherKeys].join(", ")}`);
    }
    // Which of two values was meant cannot be known: taking the first would hide the mistake.
    const values = query.getAll(key);
    if (values.length > 1) throw new InvalidInputError(`query parameter "${key}" is given ${values.length} times (${values.map((v) => JSON.stringify(v)).join(", ")}); give it once`);
  }
  const rate = query.get("sample_rate");
  const format = query.get("format");
  if (rate === null) {
    if (format !== null) throw new InvalidInputError("format needs sample_rate: raw PCM is sent as ?sample_rate=R&format=pcm16|f32");
    return null;
  }
  const sampleRate = Number(rate);
  if (!/^\d+$/.test(rate) || !Number.isSafeInteger(sampleRate) || sampleRate < MIN_RATE || sampleRate > MAX_RATE) {
    throw new InvalidInputError(`sample_rate must be an integer number of Hz from ${MIN_RATE} to ${MAX_RATE}, got "${rate}"`);
  }
  // Required rather than defaulted: a float body read as pcm16 would decode to noise, silently.
  if (format === null) throw new InvalidInputError("sample_rate needs format: raw PCM is sent as ?sample_rate=R&format=pcm16|f32");
  if (format !== "pcm16" && format !== "f32") {
    throw new InvalidInputError(`format must be pcm16 or f32 (little-endian mono), got "${format}"`);
  }
  return { sampleRate, format };
}

/** Samples in a raw body of `bytes` bytes, before decoding (for the length limit). */
export function rawPcmFrames(byteLength: number, spec: RawPcmSpec): number {
  return Math.floor(byteLength / (spec.format === "pcm16" ? 2 : 4));
}

/** The body's samples as float32 in [-1, 1] (pcm16 scaled by 1/32768, as torchaudio does). */
export function decodeRawPcm(bytes: Uint8Array, spec: RawPcmSpec, source: string): Float32Array {
  const width = spec.format === "pcm16" ? 2 : 4;
  if (bytes.length === 0) throw new AudioDecodeError(source, "the body is empty");
  if (bytes.length % width !== 0) {
    throw new AudioDecodeError(source, `${spec.format} body of ${bytes.length} bytes is not a whole number of ${width}-byte samples (truncated?)`);
  }
  const frames = bytes.length / width;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(frames); // [frames]
  if (spec.format === "pcm16") {
    for (let i = 0; i < frames; i++) out[i] = view.getInt16(2 * i, true) / 32768;
    return out;
  }
  for (let i = 0; i < frames; i++) {
    const v = view.getFloat32(4 * i, true);
    // A NaN or infinity would poison the log-mel of the whole utterance.
    if (!Number.isFinite(v)) throw new AudioDecodeError(source, `sample ${i} is ${v}: f32 bodies must hold finite values`);
    out[i] = v;
  }
  return out;
}
