/**
 * What POST /v1/detokenize reads: a JSON body of the shape a part-file line has
 * (`{"code": [...] | [[row 0], ...], "scale"?: x}`, a "key" allowed and ignored) plus an optional
 * "first_codebook" (upstream's st), and `?format=pcm16|f32` for the WAV it answers. Every problem
 * is an InvalidInputError (400) naming the request body or the parameter.
 */
import type { WavSampleFormat } from "../audio/wavWrite.js";
import { codesFromJson, codesProblem } from "../decode/codesFile.js";
import { InvalidInputError } from "../errors.js";
import type { Codes, FamilyFacts } from "../family/types.js";
import { AudioTooLongError } from "./errors.js";

const SOURCE = "request body";

/** The WAV sample format asked for: `format=pcm16` (16-bit PCM, default) or `format=f32` (32-bit float). */
export function detokenizeFormat(query: URLSearchParams): WavSampleFormat {
  for (const key of query.keys()) {
    if (key !== "format") throw new InvalidInputError(`unknown query parameter "${key}"; /v1/detokenize takes only format=pcm16|f32`);
  }
  const values = query.getAll("format");
  if (values.length > 1) throw new InvalidInputError(`query parameter "format" is given ${values.length} times; give it once`);
  const format = values[0] ?? "pcm16";
  if (format === "pcm16") return "s16";
  if (format === "f32") return "f32";
  throw new InvalidInputError(`query parameter format must be pcm16 or f32, got ${JSON.stringify(format)}`);
}

function firstCodebookOf(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(`${SOURCE}: "first_codebook" must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The codes in a detokenize body, checked against the model (rows from first_codebook on, code
 * range) and against the longest audio the service answers (`maxSeconds`, of decoded audio).
 */
export function parseDetokenizeBody(bytes: Uint8Array, model: FamilyFacts, maxSeconds: number): Codes {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch (error) {
    throw new InvalidInputError(`${SOURCE} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`${SOURCE} must be a JSON object {"code": [...], "first_codebook"?: n, "scale"?: x}`);
  }
  const fields = value as { key?: unknown; code?: unknown; scale?: unknown; segments?: unknown; first_codebook?: unknown };
  if (fields.key !== undefined && typeof fields.key !== "string") throw new InvalidInputError(`${SOURCE}: "key" must be a string when given`);
  const firstCodebook = firstCodebookOf(fields.first_codebook);
  // Every value is checked against the codebook before a typed array holds it (2**32 + 5 would wrap to 5).
  const codes = codesFromJson(fields, model);
  if (typeof codes === "string") throw new InvalidInputError(`${SOURCE}: ${codes}`);
  const problem = codesProblem(codes, model, firstCodebook);
  if (problem !== null) throw new InvalidInputError(`${SOURCE}: ${problem}`);
  // Checked before decoding: a small body of codes can ask for hours of audio.
  const seconds = (codes.frames * model.hopLength) / model.sampleRate;
  if (seconds > maxSeconds) throw new AudioTooLongError(SOURCE, seconds, maxSeconds);
  return { ...codes, firstCodebook };
}
