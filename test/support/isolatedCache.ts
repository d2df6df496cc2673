/**
 * Loaded with `node --import` by `npm test`: points the model cache at a fresh temporary folder
 * (inherited by every test process and every CLI the tests start), so tests never read or fill
 * the user's ~/.cache/s3tokenizer, and removes it when the run ends.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

if (!process.env["S3TOKENIZER_TEST_CACHE"]) {
  const dir = mkdtempSync(join(tmpdir(), "s3tok-test-cache-"));
  process.env["S3TOKENIZER_TEST_CACHE"] = dir;
  process.env["S3TOKENIZER_CACHE"] = dir;
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
}
