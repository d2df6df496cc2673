import test, { after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseWav, readWav } from "../src/audio/wav.js";
import { loadAudio } from "../src/audio/loadAudio.js";
import { countS16Clipped, encodeWav } from "../src/audio/wavWrite.js";
import { AudioDecodeError } from "../src/errors.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { readNpyF32 } from "./support/npy.js";

const FIXTURES = fixturesDir();
const skip = FIXTURES === null ? skipReason : false;

const tmp = mkdtempSync(join(tmpdir(), "s3tokenizer-wav-test-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// WAV builder for generated inputs.

interface Chunk {
  id: string;
  body: Uint8Array;
}

function chunk(id: string, body: Uint8Array): Chunk {
  return { id, body };
}

/** RIFF/WAVE bytes from chunks; odd-sized chunks get their pad byte as the format requires. */
function riff(chunks: Chunk[], magic = "RIFF", form = "WAVE"): Uint8Array {
  const parts: Buffer[] = [];
  for (const c of chunks) {
    const head = Buffer.alloc(8);
    head.write(c.id, 0, "latin1");
    head.writeUInt32LE(c.body.length, 4);
    parts.push(head, Buffer.from(c.body));
    if (c.body.length % 2 === 1) parts.push(Buffer.alloc(1));
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write(magic, 0, "latin1");
  head.writeUInt32LE(4 + body.length, 4);
  head.write(form, 8, "latin1");
  return Buffer.concat([head, body]);
}

function fmtBody(tag: number, channels: number, rate: number, bits: number): Uint8Array {
  const b = Buffer.alloc(16);
  const blockAlign = (channels * bits) / 8;
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE(rate * blockAlign, 8);
  b.writeUInt16LE(blockAlign, 12);
  b.writeUInt16LE(bits, 14);
  return b;
}

/** WAVE_FORMAT_EXTENSIBLE fmt chunk with the given sub-format tag (1 = PCM, 3 = float). */
function extensibleFmtBody(subTag: number, channels: number, rate: number, bits: number): Uint8Array {
  const b = Buffer.alloc(40);
  Buffer.from(fmtBody(0xfffe, channels, rate, bits)).copy(b, 0);
  b.writeUInt16LE(22, 16); // cbSize
  b.writeUInt16LE(bits, 18); // valid bits
  b.writeUInt32LE(channels === 2 ? 3 : 4, 20); // channel mask
  b.writeUInt16LE(subTag, 24);
  Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(b, 26);
  return b;
}

function int16Data(values: number[]): Uint8Array {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}

/** A mono 16 kHz PCM16 WAV of the given integer samples. */
function pcm16Wav(values: number[], rate = 16000): Uint8Array {
  return riff([chunk("fmt ", fmtBody(1, 1, rate, 16)), chunk("data", int16Data(values))]);
}

function writeTmp(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

/** Assert that `promise` rejects with an AudioDecodeError naming `path` and matching `problem`. */
async function rejectsDecode(promise: Promise<unknown>, path: string, problem: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof AudioDecodeError, `expected AudioDecodeError, got ${String(e)}`);
    assert.equal(e.source, path);
    assert.ok(e.message.includes(path), `message does not name the file: ${e.message}`);
    assert.match(e.message, problem);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Generated files.

test("decodes a 16 kHz mono PCM16 file, scaled by 1/32768", async () => {
  const path = writeTmp("mono.wav", pcm16Wav([0, 1, -1, 16384, -32768, 32767]));
  const wav = await readWav(path);
  assert.equal(wav.sampleRate, 16000);
  assert.equal(wav.channels, 1);
  assert.deepEqual(Array.from(wav.samples), [0, 1 / 32768, -1 / 32768, 0.5, -1, 32767 / 32768]);
  // loadAudio needs at least one STFT frame's worth (201 samples); a 16 kHz file comes back as is.
  const long = writeTmp("mono-long.wav", pcm16Wav(Array.from({ length: 300 }, (_, i) => i * 100 - 15000)));
  assert.deepEqual(Array.from(await loadAudio(long)), Array.from((await readWav(long)).samples));
});

test("skips LIST and odd-sized chunks before data", async () => {
  const bytes = riff([
    chunk("fmt ", fmtBody(1, 1, 16000, 16)),
    chunk("LIST", Buffer.from("INFOISFT\x05\x00\x00\x00test\x00\x00", "latin1")),
    chunk("odd ", Uint8Array.of(1, 2, 3)), // 3 bytes + 1 pad byte
    chunk("data", int16Data([100, -200, 300])),
  ]);
  const wav = parseWav(bytes, "generated.wav");
  assert.deepEqual(Array.from(wav.samples), [100 / 32768, -200 / 32768, 300 / 32768]);
});

test("stereo PCM16 returns channel 0 only", async () => {
  // Interleaved L/R frames: L = 1000, 2000, 3000; R = -7, -8, -9.
  const path = writeTmp("stereo.wav", riff([chunk("fmt ", fmtBody(1, 2, 16000, 16)), chunk("data", int16Data([1000, -7, 2000, -8, 3000, -9]))]));
  const wav = await readWav(path);
  assert.equal(wav.channels, 2);
  assert.deepEqual(Array.from(wav.samples), [1000 / 32768, 2000 / 32768, 3000 / 32768]);
});

test("decodes 8/24/32-bit PCM, float32/64 and WAVE_FORMAT_EXTENSIBLE", () => {
  const u8 = riff([chunk("fmt ", fmtBody(1, 1, 8000, 8)), chunk("data", Uint8Array.of(128, 192, 0))]);
  assert.deepEqual(Array.from(parseWav(u8, "u8").samples), [0, 0.5, -1]);

  const i24 = Buffer.alloc(9);
  i24.writeIntLE(0x400000, 0, 3);
  i24.writeIntLE(-0x800000, 3, 3);
  i24.writeIntLE(-1, 6, 3);
  const w24 = riff([chunk("fmt ", fmtBody(1, 1, 44100, 24)), chunk("data", i24)]);
  assert.deepEqual(Array.from(parseWav(w24, "i24").samples), [0.5, -1, -1 / 8388608]);

  const i32 = Buffer.alloc(8);
  i32.writeInt32LE(-0x80000000, 0);
  i32.writeInt32LE(0x40000000, 4);
  assert.deepEqual(Array.from(parseWav(riff([chunk("fmt ", fmtBody(1, 1, 16000, 32)), chunk("data", i32)]), "i32").samples), [-1, 0.5]);

  const f32 = Buffer.alloc(8);
  f32.writeFloatLE(0.25, 0);
  f32.writeFloatLE(-0.75, 4);
  assert.deepEqual(Array.from(parseWav(riff([chunk("fmt ", fmtBody(3, 1, 48000, 32)), chunk("data", f32)]), "f32").samples), [0.25, -0.75]);

  const f64 = Buffer.alloc(16);
  f64.writeDoubleLE(0.125, 0);
  f64.writeDoubleLE(-0.5, 8);
  assert.deepEqual(Array.from(parseWav(riff([chunk("fmt ", fmtBody(3, 1, 48000, 64)), chunk("data", f64)]), "f64").samples), [0.125, -0.5]);

  // Extensible, stereo 24-bit PCM: channel 0 only.
  const ext = Buffer.alloc(12);
  ext.writeIntLE(0x200000, 0, 3); // L0 = 0.25
  ext.writeIntLE(0x7fffff, 3, 3); // R0
  ext.writeIntLE(-0x200000, 6, 3); // L1 = -0.25
  ext.writeIntLE(0x7fffff, 9, 3); // R1
  const wext = parseWav(riff([chunk("fmt ", extensibleFmtBody(1, 2, 44100, 24)), chunk("data", ext)]), "ext");
  assert.equal(wext.channels, 2);
  assert.deepEqual(Array.from(wext.samples), [0.25, -0.25]);
});

test("streamed WAV with a placeholder data size reads to the end of the input", () => {
  for (const placeholder of [0xffffffff, 0x7ffff000]) {
    const b = Buffer.from(pcm16Wav([5, 6, 7]));
    b.writeUInt32LE(placeholder, 4); // RIFF size
    b.writeUInt32LE(placeholder, 40); // data size
    assert.deepEqual(Array.from(parseWav(b, "pipe").samples), [5 / 32768, 6 / 32768, 7 / 32768]);
  }
});

test("a trailing partial frame is ignored", () => {
  const bytes = riff([chunk("fmt ", fmtBody(1, 1, 16000, 16)), chunk("data", Uint8Array.of(0, 64, 7))]);
  assert.deepEqual(Array.from(parseWav(bytes, "partial").samples), [0.5]);
});

test("bad inputs throw AudioDecodeError naming the file and the problem", async () => {
  const good = pcm16Wav([1, 2, 3, 4]);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["empty.wav", new Uint8Array(0), /empty/],
    ["tiny.wav", good.subarray(0, 10), /truncated header/],
    ["cut_fmt.wav", good.subarray(0, 30), /truncated.*"fmt " chunk/],
    ["cut_chunk_header.wav", good.subarray(0, 16), /truncated: chunk header/],
    ["magic.wav", Buffer.from("RIFX\x00\x00\x00\x00WAVEfmt ", "latin1"), /not a RIFF\/WAVE file/],
    ["avi.wav", riff([chunk("fmt ", fmtBody(1, 1, 16000, 16))], "RIFF", "AVI "), /not a RIFF\/WAVE file/],
    ["flac.wav", Buffer.from("fLaC\x00\x00\x00\x22\x10\x00\x10\x00", "latin1"), /looks like FLAC/],
    ["long_data.wav", (() => {
      const b = Buffer.from(good);
      b.writeUInt32LE(1000, 40); // data chunk size field
      return b;
    })(), /data chunk claims 1000 bytes but only 8 are present/],
    ["no_fmt.wav", riff([chunk("data", int16Data([1, 2]))]), /no fmt chunk/],
    ["no_data.wav", riff([chunk("fmt ", fmtBody(1, 1, 16000, 16)), chunk("LIST", new Uint8Array(4))]), /no data chunk/],
    ["pcm12.wav", riff([chunk("fmt ", fmt12()), chunk("data", new Uint8Array(4))]), /format tag 0x0001 \(PCM\), 12 bits/],
    ["mp3tag.wav", riff([chunk("fmt ", fmtBody(0x55, 1, 16000, 16)), chunk("data", new Uint8Array(4))]), /format tag 0x0055 \(MPEG Layer 3\)/],
    ["short_fmt.wav", riff([chunk("fmt ", new Uint8Array(14)), chunk("data", new Uint8Array(4))]), /fmt chunk is 14 bytes/],
    ["zero_channels.wav", riff([chunk("fmt ", fmtBody(1, 0, 16000, 16)), chunk("data", new Uint8Array(4))]), /0 channels/],
  ];
  for (const [name, bytes, problem] of cases) {
    const path = writeTmp(name, bytes);
    await rejectsDecode(readWav(path), path, problem);
    await rejectsDecode(loadAudio(path), path, problem);
  }
});

/** fmt chunk declaring 12-bit PCM (block align 2, as a 12-in-16 writer would). */
function fmt12(): Uint8Array {
  const b = Buffer.from(fmtBody(1, 1, 16000, 16));
  b.writeUInt16LE(12, 14);
  return b;
}

test("missing files and directories throw AudioDecodeError naming the path", async () => {
  const missing = join(tmp, "does-not-exist.wav");
  await rejectsDecode(readWav(missing), missing, /file not found/);
  await rejectsDecode(loadAudio(missing), missing, /file not found/);
  const dir = join(tmp, "a-directory.wav");
  mkdirSync(dir);
  await rejectsDecode(readWav(dir), dir, /is a directory/);
});

test("loadAudio resamples other sample rates to 16 kHz", async () => {
  const path = writeTmp("rate22k.wav", pcm16Wav(Array.from({ length: 1000 }, (_, i) => (i % 50) * 100), 22050));
  assert.equal((await readWav(path)).sampleRate, 22050);
  // 22050 -> 16000 is 441 -> 320: ceil(1000 * 320 / 441) samples.
  assert.equal((await loadAudio(path)).length, 726);
});

// ---------------------------------------------------------------------------------------------
// Conformance fixtures.

interface ModelsJson {
  audio: Record<string, { samples_16k: number; mel_frames: number }>;
}

function wavScp(): Array<{ key: string; path: string }> {
  const text = readFileSync(join(FIXTURES!, "audio", "wav.scp"), "utf8");
  return text
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length === 2)
    .map(([key, rel]) => ({ key: key!, path: join(FIXTURES!, "audio", rel!) }));
}

test("16 kHz WAV fixtures decode to the lengths upstream found", { skip }, async (t) => {
  const models = JSON.parse(readFileSync(join(FIXTURES!, "models.json"), "utf8")) as ModelsJson;
  let checked = 0;
  for (const { key, path } of wavScp().filter((e) => e.path.endsWith(".wav"))) {
    const wav = await readWav(path);
    const expected = models.audio[key]!.samples_16k;
    if (wav.sampleRate === 16000) {
      assert.equal(wav.channels, 1, key);
      assert.equal(wav.samples.length, expected, key);
      assert.equal((await loadAudio(path)).length, expected, key);
      checked++;
    } else {
      // Not 16 kHz: loadAudio resamples to exactly upstream's length.
      assert.ok(Math.abs((wav.samples.length * 16000) / wav.sampleRate - expected) <= 1, key);
      assert.equal((await loadAudio(path)).length, expected, key);
    }
  }
  t.diagnostic(`${checked} 16 kHz WAV fixtures checked`);
  assert.ok(checked >= 5);
});

test("aishell_0121.wav samples equal upstream's load_audio output", { skip }, async (t) => {
  const wav = await readWav(join(FIXTURES!, "audio", "aishell_0121.wav"));
  const ref = readNpyF32(join(FIXTURES!, "reference", "aishell_0121_wav.wave.npy")); // [samples]
  assert.deepEqual(ref.shape, [wav.samples.length]);
  let max = 0;
  for (let i = 0; i < ref.data.length; i++) max = Math.max(max, Math.abs(wav.samples[i]! - ref.data[i]!));
  t.diagnostic(`aishell_0121: max abs diff ${max}`);
  assert.ok(max <= 1e-6);
});

test("non-WAV and multichannel fixtures", { skip }, async () => {
  const audio = join(FIXTURES!, "audio");
  const stereo = await readWav(join(audio, "stereo_44k_24bit.wav"));
  assert.equal(stereo.channels, 2);
  assert.equal(stereo.sampleRate, 44100);
  const float = await readWav(join(audio, "float32_48k.wav"));
  assert.equal(float.sampleRate, 48000);
  // readWav reads WAV only; loadAudio reads FLAC and MP3 too (see audioDecode.test.ts).
  await rejectsDecode(readWav(join(audio, "en_22k.flac")), join(audio, "en_22k.flac"), /FLAC/);
  await rejectsDecode(readWav(join(audio, "en.mp3")), join(audio, "en.mp3"), /MP3/);
  assert.equal((await loadAudio(join(audio, "en_22k.flac"))).length, 121096);
});

// ---------------------------------------------------------------------------------------------
// What the toolkit writes (decode's WAVs, the service's detokenize answer).

test("encodeWav f32: an 18-byte fmt chunk with cbSize 0 and a fact chunk with the sample count, read back exactly", () => {
  const samples = Float32Array.from([0, 0.5, -1.25, 3.5, -0.001]);
  const bytes = encodeWav(samples, 16_000, "f32");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number) => Buffer.from(bytes.subarray(at, at + 4)).toString("latin1");
  assert.equal(text(0), "RIFF");
  assert.equal(view.getUint32(4, true), bytes.length - 8, "RIFF size");
  assert.equal(text(8), "WAVE");
  assert.equal(text(12), "fmt ");
  assert.equal(view.getUint32(16, true), 18, "fmt chunk size of WAVEFORMATEX");
  assert.equal(view.getUint16(20, true), 3, "WAVE_FORMAT_IEEE_FLOAT");
  assert.equal(view.getUint16(22, true), 1, "mono");
  assert.equal(view.getUint32(24, true), 16_000);
  assert.equal(view.getUint32(28, true), 64_000, "byte rate");
  assert.equal(view.getUint16(32, true), 4, "block align");
  assert.equal(view.getUint16(34, true), 32, "bits");
  assert.equal(view.getUint16(36, true), 0, "cbSize");
  assert.equal(text(38), "fact");
  assert.equal(view.getUint32(42, true), 4, "fact chunk size");
  assert.equal(view.getUint32(46, true), samples.length, "fact: sample frames");
  assert.equal(text(50), "data");
  assert.equal(view.getUint32(54, true), samples.length * 4);
  assert.equal(bytes.length, 58 + samples.length * 4);
  const decoded = parseWav(bytes, "written.wav");
  assert.deepEqual([...decoded.samples], [...samples]);
  assert.equal(decoded.sampleRate, 16_000);
});

test("encodeWav s16: the canonical 44-byte PCM header, clipping counted as written", () => {
  const samples = Float32Array.from([0, 0.5, -1, 1.00002, -1.2, 2.8]);
  const bytes = encodeWav(samples, 16_000, "s16");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(view.getUint32(16, true), 16, "PCM fmt chunk size");
  assert.equal(view.getUint16(20, true), 1, "PCM");
  assert.equal(Buffer.from(bytes.subarray(36, 40)).toString("latin1"), "data");
  assert.equal(bytes.length, 44 + samples.length * 2);
  const written = Array.from({ length: samples.length }, (_, i) => view.getInt16(44 + 2 * i, true));
  // Samples written at the limits although the input went past them are the clipped ones.
  const atLimit = written.filter((v, i) => (v === 32767 || v === -32768) && Math.abs(samples[i]! * 32767) > 32767.5).length;
  assert.equal(countS16Clipped(samples), atLimit);
  assert.equal(atLimit, 3);
  assert.deepEqual([...parseWav(bytes, "s16.wav").samples].slice(0, 3), [0, 16384 / 32768, -32767 / 32768]);
});
