/**
 * A JSON body's nesting, watched as its bytes arrive, before anything parses it. JSON.parse runs
 * on the event loop and builds every array it opens: a body of 30 million `[` holds the service
 * for seconds before it fails, and a balanced one of a few MB parses but then overflows the stack
 * of whatever walks it. Counting brackets outside strings refuses such a body at its first bytes
 * past the limit, whatever its size, and costs one pass over bytes that arrive anyway.
 */
import { InvalidInputError } from "../errors.js";

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }

/** A JSON text that opens more arrays/objects inside each other than the reader accepts. */
export class JsonTooDeepError extends InvalidInputError {
  readonly maxDepth: number;
  constructor(source: string, maxDepth: number, offset: number) {
    super(`${source}: JSON nests deeper than ${maxDepth} levels (byte ${offset} opens level ${maxDepth + 1}); refused before parsing`);
    this.maxDepth = maxDepth;
  }
}

/**
 * A watcher to feed a JSON text's bytes to, piece by piece in order (pieces may split anywhere,
 * even inside a string or a UTF-8 sequence: the bytes counted here are ASCII, and no byte of a
 * multi-byte UTF-8 sequence is ASCII). It throws JsonTooDeepError at the first byte that opens a
 * level past `maxDepth`. It checks nesting only; the parser still judges everything else.
 */
export function watchJsonNesting(source: string, maxDepth: number): (piece: Uint8Array) => void {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let offset = 0;
  return (piece) => {
    for (let i = 0; i < piece.length; i++) {
      const byte = piece[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
      } else if (byte === QUOTE) {
        inString = true;
      } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
        if (++depth > maxDepth) throw new JsonTooDeepError(source, maxDepth, offset + i);
      } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
        // Unbalanced closers are the parser's to report; the count just does not go below 0.
        if (depth > 0) depth--;
      }
    }
    offset += piece.length;
  };
}
