/**
 * The Snake release by name: its checkpoint pinned (fnlp/AnyGPT-base at a revision, sha256 and
 * size), its config.json carried by the entry (no published digest) and checked against the
 * checkpoint's shapes on load. A registry entry of the same kind, served by the local test server
 * from the snake_tiny fixture, downloads, verifies and encodes like upstream.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test, type TestContext } from "node:test";
import { ChecksumMismatchError, CheckpointTensorError, RegistryError } from "../src/errors.js";
import { familyRegistryEntries, load } from "../src/registry/load.js";
import type { DownloadOptions, HubOptions } from "../src/hub/options.js";
import { parseRegistry } from "../src/hub/registry.js";
import { registryEntry, resolveEntryFiles } from "../src/hub/resolve.js";
import { parseConfigText, SPT_BASE_CONFIG } from "../src/models/speechtokenizer/config.js";
import { expectedTensors } from "../src/models/speechtokenizer/layout.js";
import { readNpy, readNpyF32 } from "./support/npy.js";
import { startServer } from "./support/httpServer.js";

const FIXTURES = resolve("../shared/fixtures/speechtokenizer");
const SNAKE = join(FIXTURES, "snake_tiny");
const skip = existsSync(join(SNAKE, "SpeechTokenizer.pt")) ? false : `${SNAKE} not found: Snake download tests skipped`;
const FAST: DownloadOptions = { retries: 2, retryDelayMs: 5, maxRetryDelayMs: 20, stallTimeoutMs: 2000, lockPollMs: 20, progress: false };
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Float32 bytes of every tensor a config implies. */
function tensorBytes(config: Parameters<typeof expectedTensors>[0]): number {
  let bytes = 0;
  for (const shape of expectedTensors(config).values()) bytes += 4 * shape.reduce((a, b) => a * b, 1);
  return bytes;
}

test("speechtokenizer_snake is pinned: AnyGPT-base's ckpt.dev at a revision, its sha256 and size, the config carried", () => {
  const entry = familyRegistryEntries().find((e) => e.name === "speechtokenizer_snake");
  assert.ok(entry, "speechtokenizer_snake is registered");
  assert.equal(entry.family, "speechtokenizer");
  assert.deepEqual(entry.files, [
    {
      file: "ckpt.dev",
      url: "https://huggingface.co/fnlp/AnyGPT-base/resolve/5f4692787bea31d7da4d95561ad0e602efa12afe/speechtokenizer/ckpt.dev",
      sha256: "e5687870a9c6d44c3defef4d376c64e6c0b75281e868a95256a14e9b577098eb",
      size: 481_944_941,
    },
  ]);
  const config = parseConfigText(entry.carried!["config.json"]!, "carried config.json");
  assert.deepEqual(config, { ...SPT_BASE_CONFIG, activation: "Snake" });
});

test("the carried Snake config accounts for the checkpoint's published size: hubert_avg's tensors plus the Snake alphas", () => {
  const entries = familyRegistryEntries();
  const size = (name: string, file: string) => entries.find((e) => e.name === name)!.files!.find((f) => f.file === file)!.size!;
  const snake = parseConfigText(entries.find((e) => e.name === "speechtokenizer_snake")!.carried!["config.json"]!, "snake");
  const alphaBytes = tensorBytes(snake) - tensorBytes({ ...snake, activation: "ELU" });
  const published = size("speechtokenizer_snake", "ckpt.dev") - size("speechtokenizer_hubert_avg", "SpeechTokenizer.pt");
  const alphas = [...expectedTensors(snake).keys()].filter((name) => name.endsWith(".alpha")).length;
  // The rest of the difference is each alpha's zip and pickle records (a few hundred bytes each);
  // half or double the filters would put the alphas' bytes far outside it.
  assert.ok(alphaBytes > 0 && alphaBytes <= published, `alphas ${alphaBytes} B, published difference ${published} B`);
  assert.ok(published - alphaBytes < alphas * 512, `${published - alphaBytes} B of records for ${alphas} alphas`);
});

interface Served {
  options: HubOptions;
  cacheDir: string;
  requests: () => number;
}

/** The snake_tiny checkpoint served as ckpt.dev, named in a registry file with the fixture's config carried. */
async function serveSnake(t: TestContext, carriedConfig?: string, checkpointSha?: string): Promise<Served> {
  const dir = await mkdtemp(join(tmpdir(), "s3tokenizer-snake-"));
  const checkpoint = new Uint8Array(await readFile(join(SNAKE, "SpeechTokenizer.pt")));
  const server = await startServer({ "/speechtokenizer/ckpt.dev": { body: checkpoint } });
  t.after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const config = carriedConfig ?? (await readFile(join(SNAKE, "config.json"), "utf8"));
  const files = [{ file: "ckpt.dev", url: server.url("/speechtokenizer/ckpt.dev"), sha256: checkpointSha ?? sha256(checkpoint), size: checkpoint.length }];
  const registry = join(dir, "registry.json");
  await writeFile(registry, JSON.stringify({ snake_test: { files, family: "speechtokenizer", carried: { "config.json": config } } }));
  const cacheDir = join(dir, "cache");
  return { cacheDir, options: { cacheDir, registry, offline: false, download: FAST }, requests: () => server.requests.length };
}

test("a Snake entry downloads and verifies its checkpoint, writes its carried config, and encodes as upstream; the next load is all cache", { skip }, async (t) => {
  const { options, cacheDir, requests } = await serveSnake(t);
  const clip = readNpyF32(join(FIXTURES, "inputs", "clip_0p5s.npy")).data;
  const reference = readNpy(join(SNAKE, "ref", "clip_0p5s.codes.npy"));
  const model = await load("snake_test", options);
  try {
    const [codes] = await model.encode([clip]);
    assert.deepEqual(Array.from(codes!.data), Array.from(reference.data as BigInt64Array, Number));
  } finally {
    await model.dispose();
  }
  const configPath = join(cacheDir, "snake_test", "config.json");
  assert.equal(await readFile(configPath, "utf8"), await readFile(join(SNAKE, "config.json"), "utf8"));
  assert.equal(requests(), 1);
  // A config changed in the cache is not trusted: the entry's text is written back.
  await writeFile(configPath, '{"activation": "ELU"}');
  const { files } = await resolveEntryFiles(await registryEntry("snake_test", { ...options, offline: true }), { ...options, offline: true }, "unused");
  assert.equal(await readFile(files["config.json"]!, "utf8"), await readFile(join(SNAKE, "config.json"), "utf8"));
  assert.equal(requests(), 1, "no request once cached");
});

test("the Snake checkpoint is verified like every download: other bytes are a ChecksumMismatchError", { skip }, async (t) => {
  const { options } = await serveSnake(t, undefined, "0".repeat(64));
  await assert.rejects(load("snake_test", options), (error: unknown) => error instanceof ChecksumMismatchError);
});

test("a carried config that disagrees with the checkpoint's shapes is a typed error naming the tensor", { skip }, async (t) => {
  const wrong = JSON.stringify({ ...JSON.parse(await readFile(join(SNAKE, "config.json"), "utf8")), n_filters: 16 });
  const { options } = await serveSnake(t, wrong);
  await assert.rejects(load("snake_test", options), (error: unknown) => error instanceof CheckpointTensorError && /encoder\.model\.0\.conv\.conv/.test(error.message));
});

test("registry files: carried files are texts with plain names, not also downloaded", () => {
  const files = [{ file: "ckpt.dev", url: "https://example.invalid/ckpt.dev", sha256: "a".repeat(64) }];
  const ok = parseRegistry(JSON.stringify({ m: { files, family: "speechtokenizer", carried: { "config.json": "{}" } } }), "r.json");
  assert.deepEqual(ok[0]!.carried, { "config.json": "{}" });
  for (const [carried, why] of [
    [["{}"], /"carried" must be an object/],
    [{ "../config.json": "{}" }, /a file name is letters/],
    [{ "ckpt.dev": "{}" }, /"ckpt.dev" is also among "files"/],
    [{ "config.json": { n_q: 8 } }, /must be the file's text/],
  ] as const) {
    assert.throws(() => parseRegistry(JSON.stringify({ m: { files, carried } }), "r.json"), (error: unknown) => error instanceof RegistryError && why.test(error.message));
  }
});
