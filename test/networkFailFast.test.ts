/** Network errors that no retry can fix fail at once, with a hint for --offline / --endpoint. */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DownloadError } from "../src/errors.js";
import { downloadFile } from "../src/hub/download.js";

/** Many slow retries: had the failure been retried, the test would run for minutes. */
const PATIENT = { retries: 5, retryDelayMs: 20_000, maxRetryDelayMs: 20_000, stallTimeoutMs: 60_000, lockPollMs: 20, progress: false };

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function download(url: string) {
  const dir = mkdtempSync(join(tmpdir(), "s3tok-netfail-"));
  return downloadFile({ url, dest: join(dir, "m.onnx"), partial: join(dir, "m.onnx.partial"), sha256: "0".repeat(64), label: "m", options: PATIENT });
}

for (const [what, url] of [
  ["an unresolvable host", "http://nonexistent.invalid/model.onnx"],
  ["a closed port", async () => `http://127.0.0.1:${await closedPort()}/model.onnx`],
] as const) {
  test(`${what} fails at once with a hint for --offline and --endpoint`, { timeout: 15_000 }, async () => {
    const target = typeof url === "string" ? url : await url();
    await assert.rejects(download(target), (e: unknown) => {
      assert.ok(e instanceof DownloadError, String(e));
      assert.match(e.message, /--offline/);
      assert.match(e.message, /--endpoint/);
      assert.doesNotMatch(e.message, /gave up after/);
      return true;
    });
  });
}
