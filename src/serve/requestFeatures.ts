/**
 * The work of one request before the model: body → the model's samples (its rate and channels) → its front end. Pure (no worker
 * plumbing), so the pool can run it in a thread and TokenizerService can run it inline.
 * Errors cross the thread boundary as plain data and are revived as the same typed classes.
 */
import { AudioDecodeError, AudioTooShortError, InvalidInputError } from "../errors.js";
import { secondsOf, type AudioFormat } from "../audio/format.js";
import { runFrontEnd, type ModelInput } from "../family/frontEnd.js";
import type { FrontEndSpec } from "../family/types.js";
import { decodeBody } from "./boundedDecode.js";
import { AudioTooLongError, UnsupportedAudioFormatError } from "./errors.js";
import type { RawPcmSpec } from "./rawPcm.js";

export interface FeatureJob {
  bytes: Uint8Array;
  /** Names the input in error messages. */
  source: string;
  /** The model's front end; absent: the model takes the samples. */
  frontEnd?: FrontEndSpec;
  /** The model's rate and channels (plain data: it crosses to the worker). */
  format: AudioFormat;
  maxSeconds: number;
  allowFfmpeg: boolean;
  pcm?: RawPcmSpec;
}

export interface JobFeatures {
  input: ModelInput;
  /** Length of the audio, in seconds. */
  seconds: number;
}

export async function computeJobFeatures(job: FeatureJob): Promise<JobFeatures> {
  const samples = await decodeBody(job.bytes, job.source, { format: job.format, maxSeconds: job.maxSeconds, allowFfmpeg: job.allowFfmpeg, pcm: job.pcm });
  const input = runFrontEnd(samples, job.frontEnd, job.source);
  return { input, seconds: secondsOf(samples, job.format) };
}

/** An error as structured-clone-safe data. */
export interface SerializedError {
  kind: "unsupported" | "decode" | "too_short" | "too_long" | "invalid" | "internal";
  message: string;
  source?: string;
  limitSeconds?: number;
}

export function serializeError(error: unknown): SerializedError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UnsupportedAudioFormatError) return { kind: "unsupported", message, source: error.source };
  if (error instanceof AudioDecodeError) return { kind: "decode", message, source: error.source };
  if (error instanceof AudioTooShortError) return { kind: "too_short", message, source: error.source };
  if (error instanceof AudioTooLongError) return { kind: "too_long", message, source: error.source, limitSeconds: error.limitSeconds };
  if (error instanceof InvalidInputError) return { kind: "invalid", message };
  return { kind: "internal", message };
}

/** The typed error again, with the original message (constructors would rebuild it differently). */
export function reviveError(data: SerializedError): Error {
  const source = data.source ?? "request body";
  const error =
    data.kind === "unsupported" ? new UnsupportedAudioFormatError(source, "")
    : data.kind === "decode" ? new AudioDecodeError(source, "")
    : data.kind === "too_short" ? new AudioTooShortError(source, 0, 0)
    : data.kind === "too_long" ? new AudioTooLongError(source, null, data.limitSeconds ?? 0)
    : data.kind === "invalid" ? new InvalidInputError("")
    : new Error("");
  error.message = data.message;
  return error;
}
