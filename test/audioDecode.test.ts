/**
 * Audio input against upstream: every fixture decodes and resamples to the 16 kHz samples
 * upstream's load_audio() gave (torchaudio 0.13), WAV/FLAC exactly to float32 rounding and MP3
 * closely; generated FLAC, Ogg Opus, pipes and the ffmpeg path decode as they should.
 */
import test, { after, describe } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeAudioBytes, decodeAudioFile } from "../src/audio/decode.js";
import { FlacFrameSplitter } from "../src/audio/codecs/flacFrames.js";
import { loadAudio, loadAudioBytes } from "../src/audio/loadAudio.js";
import { SPEECH_16K_MONO } from "../src/audio/format.js";
import { resample } from "../src/audio/resample.js";
import { computeFeatures } from "../src/extract/featureJob.js";
import { logMelSpectrogram } from "../src/features/logMel.js";
import { AudioDecodeError } from "../src/errors.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { readNpyF32 } from "./support/npy.js";
import { flacBytes, silentOpusBytes, sine16, wavBytes } from "./support/audioWriters.js";

const FIXTURES = fixturesDir();
const skip = FIXTURES === null ? skipReason : false;

const tmp = mkdtempSync(join(tmpdir(), "s3tokenizer-audio-decode-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function writeTmp(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

interface ScpLine {
  key: string;
  path: string;
}

function wavScp(): ScpLine[] {
  return readFileSync(join(FIXTURES!, "audio", "wav.scp"), "utf8")
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length === 2)
    .map(([key, rel]) => ({ key: key!, path: join(FIXTURES!, "audio", rel!) }));
}

function referenceWave(key: string): Float32Array | null {
  try {
    return readNpyF32(join(FIXTURES!, "reference", `${key}.wave.npy`)).data;
  } catch {
    return null;
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe("fixtures against upstream's load_audio()", { skip }, () => {
  test("every fixture but the MP3 gives upstream's 16 kHz samples within 1e-4", async (t) => {
    let checked = 0;
    for (const { key, path } of wavScp()) {
      const reference = referenceWave(key);
      if (reference === null || key === "en_mp3") continue;
      const samples = await loadAudio(path);
      assert.equal(samples.length, reference.length, `${key}: length`);
      const diff = maxAbsDiff(samples, reference);
      t.diagnostic(`${key}: ${samples.length} samples, max abs diff ${diff.toExponential(2)}`);
      assert.ok(diff <= 1e-4, `${key}: max abs diff ${diff}`);
      checked++;
    }
    assert.ok(checked >= 10, `only ${checked} fixtures had a reference`);
  });

  test("the MP3 decodes to upstream's length within one hop and to a close log-mel", async (t) => {
    const path = wavScp().find((e) => e.key === "en_mp3")!.path;
    const reference = referenceWave("en_mp3")!;
    const samples = await loadAudio(path);
    t.diagnostic(`en_mp3: ${samples.length} samples, reference ${reference.length}`);
    assert.ok(Math.abs(samples.length - reference.length) <= 160);
    const refMel = readNpyF32(join(FIXTURES!, "reference", "en_mp3.mel.npy")); // [128, frames]
    const mel = logMelSpectrogram(samples);
    const refFrames = refMel.shape[1]!;
    const frames = Math.min(refFrames, mel.frames);
    let sum = 0;
    for (let b = 0; b < 128; b++) {
      for (let f = 0; f < frames; f++) sum += Math.abs(mel.data[b * mel.frames + f]! - refMel.data[b * refFrames + f]!);
    }
    const mean = sum / (128 * frames);
    t.diagnostic(`en_mp3: log-mel mean abs diff ${mean.toExponential(2)} over ${frames} frames; wave max abs diff ${maxAbsDiff(samples, reference).toExponential(2)}`);
    assert.ok(mean <= 0.02, `mean abs log-mel diff ${mean}`);
  });

  test("decodeAudioFile reports each file's own rate and channel count", async () => {
    const expected: Record<string, [number, number]> = {
      aishell_0121_wav: [16000, 1],
      en_22k_wav: [22050, 1],
      en_8k_wav: [8000, 1],
      float32_48k_wav: [48000, 1],
      stereo_44k_24bit_wav: [44100, 2],
      en_22k_flac: [22050, 1],
    };
    for (const { key, path } of wavScp()) {
      if (!(key in expected)) continue;
      const decoded = await decodeAudioFile(path);
      assert.deepEqual([decoded.sampleRate, decoded.channels], expected[key], key);
    }
    const mp3 = await decodeAudioFile(join(FIXTURES!, "audio", "en.mp3"));
    assert.equal(mp3.sampleRate, 22050);
  });

  test("the FLAC fixture decodes to the same samples as its WAV twin, to the last frame", async () => {
    const flac = await decodeAudioFile(join(FIXTURES!, "audio", "en_22k.flac"));
    const wav = await decodeAudioFile(join(FIXTURES!, "audio", "en_22k.wav"));
    assert.equal(flac.samples.length, wav.samples.length);
    assert.equal(maxAbsDiff(flac.samples, wav.samples), 0);
  });

  test("in-memory bytes decode exactly like the file", async () => {
    for (const { key, path } of wavScp()) {
      if (key.startsWith("long_") || key.startsWith("exact_")) continue;
      const bytes = readFileSync(path);
      const fromFile = await loadAudio(path);
      const fromBytes = await loadAudioBytes(bytes, `bytes of ${key}`);
      assert.equal(fromBytes.length, fromFile.length, key);
      assert.equal(maxAbsDiff(fromBytes, fromFile), 0, key);
      const decoded = await decodeAudioBytes(bytes, key);
      assert.equal(decoded.samples.length, (await decodeAudioFile(path)).samples.length, key);
    }
  });

  test("the FLAC frame splitter gives the same frames for any chunking", () => {
    const bytes = readFileSync(join(FIXTURES!, "audio", "en_22k.flac"));
    const whole = new FlacFrameSplitter();
    const reference = [...whole.push(bytes), ...whole.end()];
    // 166885 samples in 4096-sample frames: 40 full frames and a 13-byte constant last frame.
    assert.equal(reference.length, 41);
    for (const size of [1, 13, 1000, 65536]) {
      const splitter = new FlacFrameSplitter();
      const frames: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; at += size) frames.push(...splitter.push(bytes.subarray(at, at + size)));
      frames.push(...splitter.end());
      assert.equal(frames.length, reference.length, `chunks of ${size}`);
      frames.forEach((f, i) => assert.deepEqual(f, reference[i], `chunks of ${size}, frame ${i}`));
    }
  });

  test("pipe entries are decoded and resampled like files", async () => {
    const path = join(FIXTURES!, "audio", "en_22k.wav");
    const result = await computeFeatures({ id: 0, key: "k", path: `cat '${path}' |`, isPipe: true, format: SPEECH_16K_MONO, frontEnd: { kind: "logMel", nMels: 128 } });
    assert.ok(result.ok, result.ok ? "" : result.error);
    const direct = logMelSpectrogram(await loadAudio(path));
    assert.ok(!(result.input instanceof Float32Array), "log-mel features, not samples");
    assert.equal(result.input.frames, direct.frames);
    assert.deepEqual(result.input.data, direct.data);
  });
});

test("channel 0 is the audio, not a downmix", async () => {
  const left = sine16(4410, 22050, 440);
  const right = sine16(4410, 22050, 3000, 0.9);
  const path = writeTmp("stereo22k.wav", wavBytes({ rate: 22050, channels: [left, right] }));
  const samples = await loadAudio(path);
  const expected = resample(Float32Array.from(left, (v) => v / 32768), 22050, 16000);
  assert.deepEqual(samples, expected);
});

test("WAV is detected by its bytes, whatever the file is called", async () => {
  const values = sine16(3000, 16000, 200);
  const path = writeTmp("named-like.mp3", wavBytes({ rate: 16000, channels: [values] }));
  assert.deepEqual(await loadAudio(path), Float32Array.from(values, (v) => v / 32768));
});

test("FLAC of 8, 16 and 24 bits decodes to n / 2^(bits-1), channel 0, any rate", async () => {
  for (const [bits, rate] of [[8, 8000], [16, 44100], [24, 48000], [16, 11025]] as const) {
    const full = 2 ** (bits - 1);
    const ch0 = Int32Array.from({ length: 5000 }, (_, i) => Math.round((full - 1) * Math.sin(i / 7) * (i % 3 === 0 ? 1 : 0.3)));
    ch0[10] = -full; // the most negative value
    ch0[11] = full - 1;
    const ch1 = Int32Array.from(ch0, (v) => -v >> 1);
    const path = writeTmp(`gen_${bits}_${rate}.flac`, flacBytes(rate, bits, [ch0, ch1], 1000));
    const decoded = await decodeAudioFile(path);
    assert.equal(decoded.sampleRate, rate);
    assert.equal(decoded.channels, 2);
    assert.deepEqual(decoded.samples, Float32Array.from(ch0, (v) => v / full), `${bits}-bit`);
    // And the same values from a WAV of the same integers (for 8 bits, WAV is unsigned).
    const wavValues = bits === 8 ? Array.from(ch0, (v) => v + 128) : ch0;
    const wav = await decodeAudioFile(writeTmp(`gen_${bits}_${rate}.wav`, wavBytes({ rate, bits, channels: [wavValues] })));
    assert.deepEqual(decoded.samples, wav.samples);
  }
});

test("a FLAC file fed in pieces smaller than a frame decodes completely", async () => {
  const ch0 = Int32Array.from({ length: 3001 }, (_, i) => (i * 37) % 2000 - 1000);
  const bytes = flacBytes(16000, 16, [ch0], 256);
  const splitter = new FlacFrameSplitter();
  const frames: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 5) frames.push(...splitter.push(bytes.subarray(at, at + 5)));
  frames.push(...splitter.end());
  assert.equal(frames.length, Math.ceil(3001 / 256));
  const decoded = await decodeAudioBytes(bytes, "generated.flac");
  assert.deepEqual(decoded.samples, Float32Array.from(ch0, (v) => v / 32768));
});

test("Ogg Opus decodes at 48 kHz with its pre-skip and end trim applied", async () => {
  const path = writeTmp("silence.opus", silentOpusBytes(50, 2, 312, 500));
  const decoded = await decodeAudioFile(path);
  assert.equal(decoded.sampleRate, 48000);
  assert.equal(decoded.channels, 2);
  assert.equal(decoded.samples.length, 50 * 960 - 312 - 500);
  assert.ok(decoded.samples.every((v) => v === 0));
  const samples = await loadAudio(path);
  assert.equal(samples.length, Math.ceil((50 * 960 - 312 - 500) / 3));
});

describe("formats read through ffmpeg", () => {
  const saved = process.env.S3TOKENIZER_FFMPEG;
  after(() => {
    if (saved === undefined) delete process.env.S3TOKENIZER_FFMPEG;
    else process.env.S3TOKENIZER_FFMPEG = saved;
  });

  /** A stand-in ffmpeg: checks it was asked for WAV on stdout and prints a prepared file. */
  function fakeFfmpeg(name: string, body: string): string {
    const path = join(tmp, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  test("an M4A goes to ffmpeg, whose float WAV output is read as it streams", async () => {
    const left = Float32Array.from({ length: 44100 }, (_, i) => 0.25 * Math.sin(i / 10));
    const right = new Float32Array(44100).fill(0.5);
    const wav = writeTmp("ffmpeg-out.wav", wavBytes({ rate: 44100, tag: 3, bits: 32, channels: [left, right] }));
    // Like ffmpeg writing to a pipe: the data size is a placeholder.
    const bytes = readFileSync(wav);
    bytes.writeUInt32LE(0xffffffff, 40);
    writeFileSync(wav, bytes);
    process.env.S3TOKENIZER_FFMPEG = fakeFfmpeg(
      "ffmpeg-ok",
      `case "$*" in *"-i ${tmp}/song.m4a"*"-c:a pcm_f32le -f wav pipe:1"*) cat '${wav}' ;; *) echo "unexpected arguments: $*" >&2; exit 2 ;; esac`,
    );
    const m4a = writeTmp("song.m4a", Buffer.from("\0\0\0\x20ftypM4A \0\0\0\0isomM4A mp42", "latin1"));
    const decoded = await decodeAudioFile(m4a);
    assert.equal(decoded.sampleRate, 44100);
    assert.equal(decoded.channels, 2);
    assert.deepEqual(decoded.samples, left);
    assert.deepEqual(await loadAudio(m4a), resample(left, 44100, 16000));
  });

  test("ffmpeg failing gives an AudioDecodeError with its message", async () => {
    process.env.S3TOKENIZER_FFMPEG = fakeFfmpeg("ffmpeg-fail", `echo "moov atom not found" >&2; exit 1`);
    const m4a = writeTmp("broken.m4a", Buffer.from("\0\0\0\x20ftypM4A \0\0\0\0", "latin1"));
    await assert.rejects(loadAudio(m4a), (e: unknown) => {
      assert.ok(e instanceof AudioDecodeError);
      assert.ok(e.message.includes(m4a));
      assert.match(e.message, /MP4\/M4A: ffmpeg failed \(exit code 1\): moov atom not found/);
      return true;
    });
  });
});
