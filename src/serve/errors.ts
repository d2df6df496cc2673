/**
 * The errors the service adds to the package's hierarchy. Each one subclasses an existing
 * TokenizerError class (so `code`, `isAudioError` and friends keep working for library callers);
 * the HTTP layer maps them to status codes in one table (httpError.ts).
 */
import { AudioDecodeError, InvalidInputError } from "../errors.js";
import { RequestCancelledError } from "../pipeline/dynamicBatcher.js";

/** The bytes are not a format this service decodes (or only ffmpeg could, and it is not allowed). */
export class UnsupportedAudioFormatError extends AudioDecodeError {
  constructor(source: string, problem: string) {
    super(source, problem);
  }
}

/** Decoded audio longer than the service's limit; decoding stopped at the limit. */
export class AudioTooLongError extends InvalidInputError {
  readonly source: string;
  readonly limitSeconds: number;
  constructor(source: string, seconds: number | null, limitSeconds: number) {
    const length = seconds === null ? `longer than ${limitSeconds} s` : `${seconds.toFixed(2)} s long`;
    super(`${source}: audio is ${length}; at most ${limitSeconds} s is accepted per request`);
    this.source = source;
    this.limitSeconds = limitSeconds;
  }
}

/**
 * A request body over the size limit (announced by Content-Length, or counted as it streamed);
 * `reason` says where the limit comes from when a route sets one below the service's.
 */
export class BodyTooLargeError extends InvalidInputError {
  readonly limitBytes: number;
  constructor(limitBytes: number, announced?: number, reason?: string) {
    const what = announced === undefined ? "the request body exceeds" : `Content-Length ${announced} exceeds`;
    super(`${what} the limit of ${limitBytes} bytes (${(limitBytes / 2 ** 20).toFixed(1)} MiB)${reason === undefined ? "" : `: ${reason}`}`);
    this.limitBytes = limitBytes;
  }
}

/** The request's deadline passed before its tokens were ready; its work was dropped. */
export class DeadlineExceededError extends RequestCancelledError {
  readonly deadlineMs: number;
  constructor(deadlineMs: number) {
    super();
    this.message = `the request did not finish within its deadline of ${deadlineMs} ms; its work was dropped`;
    this.deadlineMs = deadlineMs;
  }
}

/** The client closed the connection before its answer; its work was dropped. */
export class ClientClosedError extends RequestCancelledError {
  constructor() {
    super();
    this.message = "the client closed the connection before the answer; its work was dropped";
  }
}

/** /v1/detokenize on a model whose family has no decoder to audio (S3Tokenizer, RepCodec). */
export class NoDecoderError extends InvalidInputError {
  readonly family: string;
  constructor(source: string, family: string) {
    super(`${source} (${family}) has no decoder to audio: /v1/detokenize is not available for this model`);
    this.family = family;
  }
}
