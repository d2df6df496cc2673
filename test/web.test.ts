/**
 * The browser core (s3tokenizer/web) run in Node on onnxruntime-web's WebAssembly: the page's
 * whole path (picked files → loadWebModel, audio bytes → decodeAudioToMono16k → tokenize)
 * against upstream's references for S3 v2 and v1 and SpeechTokenizer's tiny fixture (decode to
 * WAV included), FunCodec's and RepCodec's codes; the model store's sha256 check, Cache API reuse and typed
 * errors; and the bundle's inputs free of Node modules.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadAudio } from "../src/audio/loadAudio.js";
import { resample } from "../src/audio/resample.js";
import { encodeWav } from "../src/audio/wavWrite.js";
import { parseWav } from "../src/audio/wavParse.js";
import { familyRegistryEntries, load } from "../src/registry/load.js";
import { compareTokens, summarize } from "../src/s3Verify/missRate.js";
import { entryFiles } from "../src/web/modelStore.js";
import {
  AudioDecodeError,
  ChecksumMismatchError,
  codesJsonLine,
  configureRuntime,
  decodeAudioForModel,
  decodeAudioToMono16k,
  decodeToWav,
  DownloadError,
  fetchModelFiles,
  listWebModels,
  loadWebModel,
  tokenize,
  UnknownModelError,
  UnrecognizedModelError,
  type FetchProgress,
} from "../src/web/index.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { modelPath, referenceTokens } from "./support/conformance.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { readNpy, readNpyF32 } from "./support/npy.js";
import { referenceTokenList } from "./support/repcodecFixtures.js";
import { CLIPS, clipSamples, speechTokenizerFixtures } from "./support/speechTokenizerFixtures.js";
import { RATE_24K, writeFunCodec24k } from "./support/model24k.js";

const S3 = fixturesDir();
const ST = speechTokenizerFixtures();
const FUNCODEC = familyFixturesDir("funcodec");
const REPCODEC = familyFixturesDir("repcodec");
const ROOT = join(import.meta.dirname, "..", "..");

// Node is never cross-origin isolated: one WebAssembly thread, as a plain page.
configureRuntime({});

/** A picked file, as the page's <input type=file> gives it. */
function picked(path: string, name = path.split("/").pop()!): File {
  return new File([readFileSync(path)], name);
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The fixture audio files listed in wav.scp, keyed as the references are. */
function audioEntries(): { key: string; path: string }[] {
  return readFileSync(join(S3!, "audio", "wav.scp"), "utf8")
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length === 2)
    .map(([key, rel]) => ({ key: key!, path: join(S3!, "audio", rel!) }));
}

describe("S3 in the page's path", { skip: S3 === null ? skipReason : false }, () => {
  test("decodeAudioToMono16k gives loadAudio's samples for every fixture file (WAV 8-48 kHz, 24-bit stereo, float, FLAC, MP3)", async () => {
    for (const { key, path } of audioEntries()) {
      const web = await decodeAudioToMono16k(new Uint8Array(readFileSync(path)), key);
      assert.deepEqual(web, await loadAudio(path), `${key}: samples`);
    }
  });

  // Short and long utterances, resampled and not, stereo and float; MP3 is left out as in
  // audioTokens.test.ts (its reference depends on torchaudio's MP3 decoder).
  const KEYS = ["aishell_0121_wav", "en_22k_flac", "en_8k_wav", "stereo_44k_24bit_wav", "float32_48k_wav", "long_65s_wav"];
  for (const name of ["speech_tokenizer_v2_25hz", "speech_tokenizer_v1"]) {
    test(`${name}: picked file → loadWebModel → audio bytes → tokenize equals upstream's tokens`, async (t) => {
      const model = await loadWebModel({ files: [picked(modelPath(S3!, name))] });
      try {
        assert.equal(model.family, "s3");
        const reference = referenceTokens(S3!, name).single;
        const entries = audioEntries().filter((e) => KEYS.includes(e.key));
        assert.equal(entries.length, KEYS.length, "every chosen fixture file is listed");
        const comparisons = [];
        for (const { key, path } of entries) {
          const codes = await tokenize(model, await decodeAudioToMono16k(readFileSync(path), key));
          const c = compareTokens(reference[key]!, codes.data);
          assert.equal(c.candidateLength, c.referenceLength, `${key}: token count`);
          comparisons.push(c);
          // The CLI's line for a one-row model: {"key", "code": [tokens]}.
          assert.deepEqual(JSON.parse(codesJsonLine(key, codes, model)), { key, code: Array.from(codes.data) });
        }
        const total = summarize(comparisons);
        t.diagnostic(`${name}: miss rate ${(100 * total.missRate).toFixed(4)}% over ${total.compared} tokens`);
        assert.ok(total.missRate <= 0.001, `miss rate ${total.missRate}`);
      } finally {
        await model.dispose();
      }
    });
  }

  test("a damaged or unsupported audio file is a typed error naming it", async () => {
    const wav = readFileSync(join(S3!, "audio", "aishell_0121.wav"));
    await assert.rejects(decodeAudioToMono16k(wav.subarray(0, 30), "cut.wav"), (e: unknown) => e instanceof AudioDecodeError && e.message.includes("cut.wav"));
    const mp4 = new Uint8Array(64);
    mp4.set(new TextEncoder().encode("\0\0\0\x20ftypisom"), 0);
    await assert.rejects(decodeAudioToMono16k(mp4, "clip.m4a"), (e: unknown) => e instanceof AudioDecodeError && /clip\.m4a.*unsupported format/.test(e.message));
  });
});

describe("SpeechTokenizer in the page's path", { skip: ST === null ? "../shared/fixtures/speechtokenizer absent" : false }, () => {
  test("hubert_avg_tiny: picked files → codes of every clip equal upstream's; decodeToWav gives upstream's decode", async () => {
    const dir = join(ST!, "hubert_avg_tiny");
    const model = await loadWebModel({ files: [picked(join(dir, "config.json")), picked(join(dir, "SpeechTokenizer.pt"))] });
    try {
      assert.equal(model.family, "speechtokenizer");
      for (const clip of CLIPS) {
        const codes = await tokenize(model, clipSamples(ST!, clip));
        const ref = readNpy(join(dir, "ref", `${clip}.codes.npy`)); // [8, 1, T] int64
        assert.deepEqual(codes.data, Int32Array.from(ref.data as BigInt64Array, Number), `${clip}: codes`);
        // The CLI's line for a model of 8 rows: {"key", "code": [[row 0], ..., [row 7]]}.
        const line = JSON.parse(codesJsonLine(clip, codes, model)) as { key: string; code: number[][] };
        assert.equal(line.code.length, 8);
        assert.deepEqual(line.code[7], Array.from(codes.data.subarray(7 * codes.frames)));
        if (clip === "aishell_0121") {
          const wav = parseWav(await decodeToWav(model, codes, "f32"), "decoded");
          const expected = readNpyF32(join(dir, "ref", `${clip}.decode_all.npy`)).data;
          assert.equal(wav.sampleRate, 16000);
          assert.equal(wav.samples.length, expected.length);
          const worst = wav.samples.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
          assert.ok(worst <= 1e-4, `decode differs from upstream's by ${worst}`);
        }
      }
    } finally {
      await model.dispose();
    }
  });
});

describe("FunCodec in the page's path", { skip: FUNCODEC === null ? "../shared/fixtures/funcodec absent" : false }, () => {
  test("picked config.yaml + model.pth → codes at every row equal upstream's", async () => {
    const model = await loadWebModel({ files: [picked(join(FUNCODEC!, "config.yaml")), picked(join(FUNCODEC!, "model.pth"))] });
    try {
      assert.equal(model.family, "funcodec");
      for (const clip of ["aishell_0121", "tiny_500"]) {
        const codes = await tokenize(model, readNpy(join(FUNCODEC!, "inputs", `${clip}.npy`)).data as Float32Array);
        const expected = Int32Array.from(readNpy(join(FUNCODEC!, "ref", `${clip}.bw8000.codes.npy`)).data as BigInt64Array, Number);
        assert.deepEqual(codes.data, expected, `${clip}: codes`);
      }
    } finally {
      await model.dispose();
    }
  });
});

test("a 24 kHz model in the page's path: a 16 kHz file decoded for it gives the codes of its 24 kHz resampling; decodeToWav writes 24 kHz", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "web-24k-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files = await writeFunCodec24k(dir);
  const model = await loadWebModel({ files: [picked(files["config.yaml"]!), picked(files["model.pth"]!)] });
  try {
    assert.equal(model.sampleRate, RATE_24K);
    const input = Float32Array.from({ length: 13_579 }, (_, i) => 0.3 * Math.sin(i / 9) + 0.1 * Math.sin(i / 2.3));
    const audio = await decodeAudioForModel(new File([Buffer.from(encodeWav(input, 16_000, "f32"))], "u16k.wav"), model, "u16k.wav");
    const resampled = resample(input, 16_000, RATE_24K);
    assert.deepEqual(audio, resampled);
    const codes = await tokenize(model, audio);
    const [direct] = await model.encode([resampled]);
    assert.deepEqual(codes.data, direct!.data);
    const wav = parseWav(await decodeToWav(model, codes, "f32"), "decoded.wav");
    assert.equal(wav.sampleRate, RATE_24K);
    assert.equal(wav.samples.length, codes.frames * model.hopLength);
  } finally {
    await model.dispose();
  }
});

const ENCODEC = familyFixturesDir("encodec");

test("EnCodec 48 kHz stereo in the page's path: picked checkpoint, a stereo WAV decoded for it, codes and segments as Node's, a two-channel WAV back", { skip: ENCODEC === null ? "../shared/fixtures/encodec absent" : false }, async () => {
  const dir = join(ENCODEC!, "encodec_48k_tiny");
  const checkpoint = readdirSync(dir).find((name) => /^encodec_48k_tiny-.*\.th$/.test(name))!;
  const model = await loadWebModel({ files: [picked(join(dir, checkpoint)), picked(join(dir, "config.json"))] });
  try {
    assert.equal(model.family, "encodec");
    assert.equal(model.sampleRate, 48_000);
    assert.equal(model.channels, 2);
    const clip = join(dir, "inputs", "stereo_3seg");
    const audio = await decodeAudioForModel(picked(`${clip}.wav`), model, "stereo_3seg.wav");
    const input = readNpyF32(`${clip}.npy`).data; // [2, L]
    assert.deepEqual(audio, input, "both channels, as the float WAV holds them");
    const codes = await tokenize(model, audio, { bandwidth: 3 } as object);
    const node = await load(dir, { streams: 1 });
    try {
      const [expected] = await node.encode([input], { bandwidth: 3 } as object);
      assert.deepEqual(codes.data, expected!.data);
      assert.deepEqual(codes.segments, expected!.segments);
    } finally {
      await node.dispose();
    }
    assert.match(codesJsonLine("k", codes, model), /"segments":\[\[/);
    const wav = parseWav(await decodeToWav(model, codes, "f32"), "decoded.wav");
    assert.equal(wav.sampleRate, 48_000);
    assert.equal(wav.channels, 2);
  } finally {
    await model.dispose();
  }
});

describe("RepCodec in the page's path", { skip: REPCODEC === null ? "../shared/fixtures/repcodec absent" : false }, () => {
  test("picked Whisper .pt + RepCodec .pkl (layer 3) → tokens equal upstream's", async () => {
    const dir = join(REPCODEC!, "whisper");
    const model = await loadWebModel({ files: [picked(join(dir, "repcodec_whisper_tiny.pkl")), picked(join(dir, "whisper_tiny_random.pt"))] }, { layer: 3 });
    try {
      assert.equal(model.family, "repcodec");
      for (const clip of ["aishell_0121", "short_0p3s"]) {
        const codes = await tokenize(model, readNpy(join(dir, "inputs", `${clip}.npy`)).data as Float32Array);
        assert.deepEqual(Array.from(codes.data), referenceTokenList(join(dir, "ref", `${clip}.tokens.npy`)), clip);
      }
    } finally {
      await model.dispose();
    }
  });
});

/** The Cache API in memory: what a page's `caches` does for these calls. */
class MemoryCaches {
  readonly stores = new Map<string, Map<string, Uint8Array<ArrayBuffer>>>();
  async open(name: string): Promise<Cache> {
    const store = this.stores.get(name) ?? new Map<string, Uint8Array<ArrayBuffer>>();
    this.stores.set(name, store);
    return {
      match: async (key: string) => {
        const bytes = store.get(key);
        return bytes && new Response(bytes, { headers: { "x-size": String(bytes.length) } });
      },
      put: async (key: string, response: Response) => {
        store.set(key, new Uint8Array(await response.arrayBuffer()));
      },
    } as unknown as Cache;
  }
  async delete(name: string): Promise<boolean> {
    return this.stores.delete(name);
  }
}

/** A server of fixed bytes per URL that counts its requests. */
function server(files: Record<string, Uint8Array<ArrayBuffer>>): { fetch: typeof fetch; requests: string[] } {
  const requests: string[] = [];
  const fetcher = async (input: string | URL | Request) => {
    const url = String(input);
    requests.push(url);
    const body = files[url];
    return body ? new Response(body, { headers: { "content-length": String(body.length) } }) : new Response("no", { status: 404, statusText: "Not Found" });
  };
  return { fetch: fetcher as typeof fetch, requests };
}

describe("model store", () => {
  const bytes = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
  const url = "https://models.example/weights.bin";
  const spec = { file: "weights.bin", url, sha256: sha256(bytes) };

  test("a verified download is kept under its sha256: the second load downloads nothing", async () => {
    const caches = new MemoryCaches() as unknown as CacheStorage;
    const { fetch, requests } = server({ [url]: bytes });
    const progress: FetchProgress[] = [];
    const first = await fetchModelFiles([spec], { fetch, cacheStorage: caches, onProgress: (p) => progress.push(p) });
    assert.deepEqual(first.get("weights.bin"), bytes);
    assert.equal(requests.length, 1);
    assert.deepEqual(progress.at(-1), { file: "weights.bin", loaded: bytes.length, total: bytes.length, from: "network" });
    const second = await fetchModelFiles([spec], { fetch, cacheStorage: caches, onProgress: (p) => progress.push(p) });
    assert.deepEqual(second.get("weights.bin"), bytes);
    assert.equal(requests.length, 1, "nothing downloaded the second time");
    assert.equal(progress.at(-1)!.from, "cache");
  });

  test("damaged bytes fail their sha256 with ChecksumMismatchError and are not kept", async () => {
    const damaged = bytes.slice();
    damaged[1234] ^= 0xff;
    const caches = new MemoryCaches();
    const { fetch } = server({ [url]: damaged });
    await assert.rejects(fetchModelFiles([spec], { fetch, cacheStorage: caches as unknown as CacheStorage }), (e: unknown) =>
      e instanceof ChecksumMismatchError && e.expected === spec.sha256 && e.actual === sha256(damaged) && e.message.includes(url),
    );
    assert.equal([...caches.stores.values()].reduce((n, s) => n + s.size, 0), 0, "nothing kept");
    // A picked file is checked the same way.
    await assert.rejects(fetchModelFiles([{ file: "weights.bin", blob: new File([damaged], "weights.bin"), sha256: spec.sha256 }], { cacheStorage: null }), ChecksumMismatchError);
  });

  test("an HTTP failure is a DownloadError naming the URL and status", async () => {
    const { fetch } = server({});
    await assert.rejects(fetchModelFiles([spec], { fetch, cacheStorage: null }), (e: unknown) => e instanceof DownloadError && e.message.includes(url) && e.message.includes("404"));
  });

  test("the registry's models by name; unknown names and files of no family are typed errors", async () => {
    const models = listWebModels();
    assert.ok(models.some((m) => m.name === "speech_tokenizer_v2_25hz" && m.family === "s3"));
    const st = models.find((m) => m.name === "speechtokenizer_hubert_avg");
    assert.equal(st?.size, st!.files.reduce((n, f) => n + f.size!, 0));
    // The Snake release downloads its checkpoint only; its config.json is the entry's own text.
    const snake = models.find((m) => m.name === "speechtokenizer_snake");
    assert.deepEqual(snake?.files.map((f) => f.file), ["ckpt.dev"]);
    assert.match(snake!.files[0]!.url, /^https:\/\/huggingface\.co\/fnlp\/AnyGPT-base\/resolve\/5f4692787bea31d7da4d95561ad0e602efa12afe\//);
    assert.equal(snake!.size, 481_944_941);
    const carried = entryFiles(familyRegistryEntries().find((e) => e.name === "speechtokenizer_snake")!).find((f) => f.file === "config.json");
    assert.equal(carried?.url, undefined);
    assert.match(await carried!.blob!.text(), /"activation": "Snake"/);
    await assert.rejects(loadWebModel({ name: "no_such_model" }), UnknownModelError);
    await assert.rejects(loadWebModel({ files: [new File([bytes], "notes.txt")] }), UnrecognizedModelError);
  });
});

test("the web bundle's inputs hold no Node module and no Node-only package", () => {
  const meta = join(ROOT, "dist", "web", "meta.json");
  if (!existsSync(meta)) execFileSync(process.execPath, [join(ROOT, "scripts", "buildWeb.mjs")], { cwd: ROOT, stdio: "ignore" });
  const inputs = Object.keys((JSON.parse(readFileSync(meta, "utf8")) as { inputs: Record<string, unknown> }).inputs);
  assert.ok(inputs.includes("src/web/index.ts"));
  assert.ok(inputs.includes("src/models/s3/batchedTokenizer.ts"), "the models are in the bundle");
  assert.deepEqual(inputs.filter((input) => input.startsWith("node:") || /onnxruntime-node|yauzl|src\/runtime\/session(Streams|Worker)?\.ts/.test(input)), []);
});
