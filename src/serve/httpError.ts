/**
 * Every error answer of the service: one status, one stable code, a message. Typed errors from
 * the service are mapped here, in one table, so status codes are decided in one place.
 */
import { AudioDecodeError, AudioTooShortError, InvalidInputError, TokenizerError } from "../errors.js";
import { QueueFullError, RequestCancelledError } from "../pipeline/dynamicBatcher.js";
import { BodyTooSlowError } from "./bodyPace.js";
import { AudioTooLongError, BodyTooLargeError, DeadlineExceededError, NoDecoderError, UnsupportedAudioFormatError } from "./errors.js";

export type HttpErrorCode =
  | "bad_request"
  | "unauthorized"
  | "not_found"
  | "method_not_allowed"
  | "body_too_large"
  | "body_too_slow"
  | "audio_too_long"
  | "unsupported_media_type"
  | "bad_audio"
  | "audio_too_short"
  | "queue_full"
  | "not_ready"
  | "shutting_down"
  | "deadline_exceeded"
  | "cancelled"
  | "not_implemented"
  | "internal";

/** An answer that is not 200, with its JSON body `{"error": {"code", "message"}}`. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode;
  readonly headers: Record<string, string>;
  constructor(status: number, code: HttpErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Seconds a client is told to wait after a 503 (the next group usually starts within one). */
export const RETRY_AFTER_S = 1;

/** The answer for an error thrown while handling a request. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof BodyTooLargeError) return new HttpError(413, "body_too_large", message);
  if (error instanceof BodyTooSlowError) return new HttpError(408, "body_too_slow", message, { connection: "close" });
  if (error instanceof AudioTooLongError) return new HttpError(413, "audio_too_long", message);
  if (error instanceof UnsupportedAudioFormatError) return new HttpError(415, "unsupported_media_type", message);
  if (error instanceof AudioDecodeError) return new HttpError(400, "bad_audio", message);
  if (error instanceof AudioTooShortError) return new HttpError(400, "audio_too_short", message);
  // 501: the server (this model) cannot do it at all, whatever the request; a client should not retry.
  if (error instanceof NoDecoderError) return new HttpError(501, "not_implemented", message);
  if (error instanceof InvalidInputError) return new HttpError(400, "bad_request", message);
  // A family's own input errors (FunCodec's longest utterance) carry the stable code without the class.
  if (error instanceof TokenizerError && error.code === "INVALID_INPUT") return new HttpError(400, "bad_request", message);
  if (error instanceof QueueFullError) return new HttpError(503, "queue_full", message, { "retry-after": String(RETRY_AFTER_S) });
  if (error instanceof DeadlineExceededError) return new HttpError(504, "deadline_exceeded", message);
  // 499 is nginx's "client closed request": nobody reads it, but the metrics and logs do.
  if (error instanceof RequestCancelledError) return new HttpError(499, "cancelled", message);
  return new HttpError(500, "internal", `internal error: ${message}`);
}
