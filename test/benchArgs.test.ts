/** The benchmark's command line: the device every variant runs on. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { BenchUsageError, parseBenchArgs } from "../bench/args.js";

test("bench --device: cpu by default; cuda:N keeps its ordinal; webgpu; anything else is a usage error", () => {
  const plain = parseBenchArgs([]);
  assert.ok(plain !== "help");
  assert.deepEqual([plain.runtime.device, plain.deviceFlag], ["cpu", "cpu"]);
  const cuda = parseBenchArgs(["--device", "cuda:1"]);
  assert.ok(cuda !== "help");
  assert.deepEqual(cuda.runtime, { device: "cuda", deviceId: 1 });
  const webgpu = parseBenchArgs(["--device", "webgpu", "--quick"]);
  assert.ok(webgpu !== "help");
  assert.equal(webgpu.runtime.device, "webgpu");
  assert.throws(() => parseBenchArgs(["--device", "tpu"]), (error: unknown) => error instanceof BenchUsageError && /tpu/.test(error.message));
});

test("bench --versions takes speechtokenizer beside the S3 versions; --upstream-speechtokenizer needs it and a checkout", () => {
  const mixed = parseBenchArgs(["--versions", "speechtokenizer,v2"]);
  assert.ok(mixed !== "help");
  assert.deepEqual([mixed.versions, mixed.families, mixed.order], [["v2"], ["speechtokenizer"], ["speechtokenizer", "v2"]]);
  assert.equal(mixed.upstream.speechtokenizer, null);
  const all = parseBenchArgs([]);
  assert.ok(all !== "help" && all.families.includes("speechtokenizer") && all.versions.length > 0);
  assert.throws(() => parseBenchArgs(["--versions", "v2", "--upstream-speechtokenizer", "."]),
    (error: unknown) => error instanceof BenchUsageError && /add speechtokenizer/.test(error.message));
  assert.throws(() => parseBenchArgs(["--versions", "speechtokenizer", "--upstream-speechtokenizer", "/nonexistent/upstream"]),
    (error: unknown) => error instanceof BenchUsageError && /nonexistent\/upstream/.test(error.message));
  assert.throws(() => parseBenchArgs(["--versions", "speechtokenizers"]), (error: unknown) => error instanceof BenchUsageError && /speechtokenizers/.test(error.message));
});

test("bench --versions takes funcodec and repcodec_whisper; each upstream flag needs its benchmark and a checkout", () => {
  const upstream = fakeCheckouts();
  const both = parseBenchArgs(["--versions", "repcodec_whisper,funcodec"]);
  assert.ok(both !== "help");
  assert.deepEqual([both.versions, both.families], [[], ["repcodec_whisper", "funcodec"]]);
  assert.deepEqual(both.upstream, { speechtokenizer: null, funcodec: null, repcodec: null, whisper: null });
  assert.throws(() => parseBenchArgs(["--versions", "v2", "--upstream-funcodec", upstream.funcodec]),
    (error: unknown) => error instanceof BenchUsageError && /add funcodec/.test(error.message));
  assert.throws(() => parseBenchArgs(["--versions", "funcodec", "--upstream-funcodec", upstream.repcodec]),
    (error: unknown) => error instanceof BenchUsageError && error.message.includes(join("funcodec", "bin", "codec_inference.py")));
  assert.throws(() => parseBenchArgs(["--versions", "repcodec_whisper", "--upstream-repcodec", upstream.repcodec]),
    (error: unknown) => error instanceof BenchUsageError && /go together/.test(error.message));
  const given = parseBenchArgs(["--versions", "funcodec,repcodec_whisper", "--upstream-funcodec", upstream.funcodec,
    "--upstream-repcodec", upstream.repcodec, "--upstream-whisper", upstream.whisper]);
  assert.ok(given !== "help");
  assert.deepEqual(given.upstream, { speechtokenizer: null, funcodec: upstream.funcodec, repcodec: upstream.repcodec, whisper: upstream.whisper });
});

test("bench --versions takes repcodec_hubert, whose upstream is the RepCodec checkout alone", () => {
  const upstream = fakeCheckouts();
  const hubert = parseBenchArgs(["--versions", "repcodec_hubert", "--upstream-repcodec", upstream.repcodec]);
  assert.ok(hubert !== "help");
  assert.deepEqual([hubert.families, hubert.upstream.repcodec, hubert.upstream.whisper], [["repcodec_hubert"], upstream.repcodec, null]);
  assert.throws(() => parseBenchArgs(["--versions", "repcodec_hubert", "--upstream-whisper", upstream.whisper]),
    (error: unknown) => error instanceof BenchUsageError && /add repcodec_whisper/.test(error.message));
  assert.throws(() => parseBenchArgs(["--versions", "v2", "--upstream-repcodec", upstream.repcodec]),
    (error: unknown) => error instanceof BenchUsageError && /add repcodec_whisper or repcodec_hubert/.test(error.message));
});

test("bench --versions takes encodec_24khz and encodec_48khz; --upstream-encodec needs one of them and a facebookresearch/encodec checkout", () => {
  const root = mkdtempSync(join(tmpdir(), "bench-args-"));
  try {
    mkdirSync(join(root, "encodec", "encodec"), { recursive: true });
    writeFileSync(join(root, "encodec", "encodec", "model.py"), "");
    const checkout = join(root, "encodec");
    const given = parseBenchArgs(["--versions", "encodec_48khz,v2", "--upstream-encodec", checkout]);
    assert.ok(given !== "help");
    assert.deepEqual([given.versions, given.families, given.encodec, given.order], [["v2"], [], ["encodec_48khz"], ["encodec_48khz", "v2"]]);
    assert.equal(given.upstreamEncodec, checkout);
    assert.throws(() => parseBenchArgs(["--versions", "v2", "--upstream-encodec", checkout]),
      (error: unknown) => error instanceof BenchUsageError && /add encodec_24khz or encodec_48khz/.test(error.message));
    assert.throws(() => parseBenchArgs(["--versions", "encodec_24khz", "--upstream-encodec", root]),
      (error: unknown) => error instanceof BenchUsageError && error.message.includes(join("encodec", "model.py")));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** Folders shaped as the three checkouts (the one file each flag looks for), in a fresh temporary folder. */
function fakeCheckouts(): { funcodec: string; repcodec: string; whisper: string } {
  const root = mkdtempSync(join(tmpdir(), "bench-args-"));
  const make = (dir: string, file: string) => {
    mkdirSync(join(root, dir, dirname(file)), { recursive: true });
    writeFileSync(join(root, dir, file), "");
    return join(root, dir);
  };
  return {
    funcodec: make("FunCodec", join("funcodec", "bin", "codec_inference.py")),
    repcodec: make("RepCodec", join("repcodec", "tokenize.py")),
    whisper: make("whisper", join("whisper", "audio.py")),
  };
}

test("bench: the browser column runs unless --no-browser; its models are among --versions' keys", async () => {
  const { BROWSER_KEYS } = await import("../bench/browserBench.js");
  const plain = parseBenchArgs([]);
  assert.ok(plain !== "help");
  assert.equal(plain.browser, true);
  const off = parseBenchArgs(["--no-browser", "--versions", "v2"]);
  assert.ok(off !== "help");
  assert.equal(off.browser, false);
  for (const key of BROWSER_KEYS) assert.ok(plain.order.includes(key), `${key} is a --versions key`);
});

test("bench --first-token-only: off by default; on, it takes every model key and refuses the upstream checkouts (no throughput rounds)", () => {
  const plain = parseBenchArgs(["--versions", "v2"]);
  assert.ok(plain !== "help");
  assert.equal(plain.firstTokenOnly, false);
  const only = parseBenchArgs(["--first-token-only", "--quick", "--versions", "v1,v2,v3,speechtokenizer,funcodec,repcodec_whisper", "--repeats", "5"]);
  assert.ok(only !== "help");
  assert.equal(only.firstTokenOnly, true);
  assert.equal(only.repeats, 5);
  assert.deepEqual([only.versions, only.families], [["v1", "v2", "v3"], ["speechtokenizer", "funcodec", "repcodec_whisper"]]);
  const upstream = fakeCheckouts();
  assert.throws(() => parseBenchArgs(["--first-token-only", "--versions", "funcodec", "--upstream-funcodec", upstream.funcodec]),
    (error: unknown) => error instanceof BenchUsageError && /--upstream-funcodec.*--first-token-only/.test(error.message));
});
