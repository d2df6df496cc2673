/**
 * Tests must not depend on whether ffmpeg is installed: for the current file, point
 * S3TOKENIZER_FFMPEG at a binary that does not exist, and remove `dir` afterwards.
 */
import { after, before } from "node:test";
import { rmSync } from "node:fs";
import { join } from "node:path";

export function withoutFfmpeg(dir: string): void {
  const saved = process.env.S3TOKENIZER_FFMPEG;
  before(() => {
    process.env.S3TOKENIZER_FFMPEG = join(dir, "no-such-ffmpeg");
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.S3TOKENIZER_FFMPEG;
    else process.env.S3TOKENIZER_FFMPEG = saved;
  });
}
