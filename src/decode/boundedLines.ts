/**
 * The lines of a file, each at most `maxLineBytes` long. Node's line reader holds a line as one
 * string whatever its length, so a file with no newline (`/dev/zero`, a crafted 600 MB line) ends
 * in "Invalid string length" or out of memory. Here a line past the bound is dropped as it streams
 * by and reported as too long, with its number, and reading goes on after its newline.
 */
import { createReadStream } from "node:fs";

/** One line: its text (without the newline), or how many bytes it ran to when it was too long. */
export type BoundedLine = { number: number; text: string } | { number: number; tooLongBytes: number };

const NEWLINE = 0x0a;

export async function* readBoundedLines(file: string, maxLineBytes: number): AsyncGenerator<BoundedLine> {
  let pieces: Buffer[] = [];
  let bytes = 0; // of the current line, counted on after it passes the bound
  let number = 0;
  const finish = (): BoundedLine => {
    number++;
    const line: BoundedLine = bytes > maxLineBytes ? { number, tooLongBytes: bytes } : { number, text: Buffer.concat(pieces, bytes).toString("utf8") };
    pieces = [];
    bytes = 0;
    return line;
  };
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline < 0 ? chunk.length : newline;
      bytes += end - start;
      // Past the bound the bytes are only counted: memory stays at one bounded line.
      if (bytes <= maxLineBytes) pieces.push(chunk.subarray(start, end));
      else pieces = [];
      if (newline < 0) break;
      yield finish();
      start = newline + 1;
    }
  }
  if (bytes > 0) yield finish();
}
