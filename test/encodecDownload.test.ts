/**
 * EnCodec by name: encodec_24khz is pinned to upstream's download location and the full sha256
 * the issue gives (it agrees with the 8 hex digits in the file's name), and an entry of the EnCodec
 * family downloads, verifies and opens its checkpoint through the hub as every family's does,
 * tested on a local server serving the tiny fixture (no real weights are downloaded here).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { ChecksumMismatchError } from "../src/errors.js";
import type { DownloadOptions, HubOptions } from "../src/hub/options.js";
import { familyRegistryEntries, load } from "../src/registry/load.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { startServer } from "./support/httpServer.js";
import { readNpy, readNpyF32 } from "./support/npy.js";

const root = familyFixturesDir("encodec");
const skip = root === null ? "EnCodec fixtures (../shared/fixtures/encodec) absent" : false;
const FAST: DownloadOptions = { retries: 2, retryDelayMs: 5, maxRetryDelayMs: 20, stallTimeoutMs: 2000, lockPollMs: 20, progress: false };
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

test("encodec_24khz is pinned: upstream's URL and the full sha256, whose first 8 digits are the file name's", () => {
  const entry = familyRegistryEntries().find((e) => e.name === "encodec_24khz");
  assert.ok(entry, "encodec_24khz is registered");
  assert.equal(entry.family, "encodec");
  const [file] = entry.files!;
  assert.equal(file!.url, "https://dl.fbaipublicfiles.com/encodec/v0/encodec_24khz-d7cc33bc.th");
  assert.equal(file!.sha256, "d7cc33bcf1aad7f2dad9836f36431530744abeace3ca033005e3290ed4fa47bf");
  assert.ok(file!.sha256.startsWith(/-([0-9a-f]{8})\.th$/.exec(file!.file)![1]!));
  assert.equal(familyRegistryEntries().find((e) => e.name === "encodec_48khz"), undefined, "48 kHz has only an 8-digit prefix published: no name");
});

/** The tiny 24 kHz checkpoint served under its own name, named `encodec_test` in a registry file. */
async function serveTiny(t: TestContext, sha?: string): Promise<{ options: HubOptions; requests: () => number }> {
  const dir = await mkdtemp(join(tmpdir(), "s3tokenizer-encodec-"));
  const fixture = join(root!, "encodec_24k_tiny");
  const name = readdirSync(fixture).find((f) => /^encodec_24k_tiny-.*\.th$/.test(f))!;
  const bytes = new Uint8Array(await readFile(join(fixture, name)));
  const server = await startServer({ [`/v0/${name}`]: { body: bytes } });
  t.after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const registry = join(dir, "registry.json");
  const files = [{ file: name, url: server.url(`/v0/${name}`), sha256: sha ?? sha256(bytes), size: bytes.length }];
  await writeFile(registry, JSON.stringify({ encodec_test: { files, family: "encodec" } }));
  return { options: { cacheDir: join(dir, "cache"), registry, offline: false, download: FAST }, requests: () => server.requests.length };
}

test("an EnCodec entry downloads and verifies its checkpoint and encodes as upstream; the next load is all cache", { skip }, async (t) => {
  const { options, requests } = await serveTiny(t);
  const dir = join(root!, "encodec_24k_tiny");
  const clip = readNpyF32(join(dir, "inputs", "short_0p3s_24k.npy")).data;
  for (let round = 0; round < 2; round++) {
    const model = await load("encodec_test", options);
    try {
      assert.equal(model.family, "encodec");
      const [codes] = await model.encode([clip], { bandwidth: 1.5 } as object);
      assert.deepEqual(Array.from(codes!.data), Array.from(readNpy(join(dir, "ref", "short_0p3s_24k.bw1p5.f0.codes.npy")).data as BigInt64Array, Number));
    } finally {
      await model.dispose();
    }
  }
  assert.equal(requests(), 1, "downloaded once");
});

test("other bytes than the entry's sha256 are a ChecksumMismatchError", { skip }, async (t) => {
  const { options } = await serveTiny(t, "0".repeat(64));
  await assert.rejects(load("encodec_test", options), (error: unknown) => error instanceof ChecksumMismatchError);
});
