/**
 * How large and how deep a /v1/detokenize body may be, decided from the model before a byte is
 * read. The service's body limit is sized for audio (32 MiB by default); codes for the longest audio
 * it answers take far less, and JSON.parse runs on the event loop, so a body is held to what the
 * codes can take: anything past it is refused (413) as it arrives, and nesting past what a body
 * has is refused (400) at the byte that opens it, never parsed.
 */
import type { FamilyFacts } from "../family/types.js";
import type { BodyRules } from "./body.js";
import { watchJsonNesting } from "./jsonNesting.js";

/**
 * `{"code": [[row 0], ...]}` nests 3 deep (object, code, row); the rest of a body (a tokenize
 * answer's fields, a key) is flat. The limit leaves room for a client's wrapping without letting
 * a nesting bomb through.
 */
export const DETOKENIZE_MAX_DEPTH = 8;

/**
 * Bytes one code may take in a body besides its digits: a separator and the indentation of a
 * pretty-printed row (`JSON.stringify(body, null, 2)` gives "\n      123,", 8 besides the digits).
 */
const BYTES_PER_CODE_BESIDES_DIGITS = 12;
/** Room for everything that is not a code: the key, a tokenize answer's other fields. */
const OTHER_FIELDS_BYTES = 64 * 1024;

/**
 * The body rules of /v1/detokenize for `model` when at most `maxSeconds` of audio is answered;
 * one request's own (the nesting watcher keeps its place in the body).
 */
export function detokenizeBodyRules(model: FamilyFacts, maxSeconds: number, maxBodyBytes: number): BodyRules {
  const frames = Math.ceil(maxSeconds * model.frameRate);
  const digits = String(Math.max(0, model.codebookSize - 1)).length;
  const codesLimit = frames * model.codebooks * (digits + BYTES_PER_CODE_BESIDES_DIGITS) + OTHER_FIELDS_BYTES;
  const limit = Math.min(maxBodyBytes, codesLimit);
  const rules: BodyRules = { limit, inspect: watchJsonNesting("request body", DETOKENIZE_MAX_DEPTH) };
  if (limit < maxBodyBytes) rules.reason = `a /v1/detokenize body for this model holds at most ${model.codebooks} rows of codes for ${maxSeconds} s of audio (--max_audio_s)`;
  return rules;
}
