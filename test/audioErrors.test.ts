/**
 * Bad audio input never crashes: each kind of broken file gives AudioDecodeError or
 * AudioTooShortError, with the file named in the message and in `source`.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAudio, loadAudioBytes } from "../src/audio/loadAudio.js";
import { decodeAudioFile } from "../src/audio/decode.js";
import { AudioDecodeError, AudioTooShortError, isAudioError } from "../src/errors.js";
import { MIN_SAMPLES } from "../src/features/logMel.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { flacBytes, silentOpusBytes, sine16, wavBytes } from "./support/audioWriters.js";
import { withoutFfmpeg } from "./support/noFfmpeg.js";

const FIXTURES = fixturesDir();
const tmp = mkdtempSync(join(tmpdir(), "s3tokenizer-audio-errors-"));
// Tests must not depend on whether ffmpeg is installed here.
withoutFfmpeg(tmp);

function writeTmp(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

type ErrorClass = typeof AudioDecodeError | typeof AudioTooShortError;

async function rejects(promise: Promise<unknown>, path: string, kind: ErrorClass, problem: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof kind, `expected ${kind.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.equal(e.source, path);
    assert.ok(e.message.includes(path), `message does not name the file: ${e.message}`);
    assert.match(e.message, problem);
    return true;
  });
}

const good = wavBytes({ rate: 16000, channels: [sine16(1000, 16000, 300)] });

test("a missing path", async () => {
  const path = join(tmp, "does-not-exist.wav");
  await rejects(loadAudio(path), path, AudioDecodeError, /file not found/);
});

test("a directory", async () => {
  const path = join(tmp, "a-directory.flac");
  mkdirSync(path);
  await rejects(loadAudio(path), path, AudioDecodeError, /is a directory/);
  // Said once: "PATH: cannot decode audio: is a directory, not a file".
  await assert.rejects(loadAudio(path), (e: Error) => e.message === `${path}: cannot decode audio: is a directory, not a file`);
});

test("zero bytes", async () => {
  const path = writeTmp("empty.wav", new Uint8Array(0));
  await rejects(loadAudio(path), path, AudioDecodeError, /file is empty/);
  await rejects(loadAudioBytes(new Uint8Array(0), "stdin of `sox x.wav -t wav - |`"), "stdin of `sox x.wav -t wav - |`", AudioDecodeError, /file is empty/);
});

test("a truncated header", async () => {
  const path = writeTmp("truncated-header.wav", good.subarray(0, 10));
  await rejects(loadAudio(path), path, AudioDecodeError, /truncated header: 10 bytes/);
  const cutFmt = writeTmp("truncated-fmt.wav", good.subarray(0, 30));
  await rejects(loadAudio(cutFmt), cutFmt, AudioDecodeError, /truncated: "fmt " chunk claims 16 bytes/);
});

test("a text file named .wav is not audio, shown by its start; ffmpeg is not offered", async () => {
  const path = writeTmp("notes.wav", Buffer.from("these are my notes, not audio\n"));
  await rejects(loadAudio(path), path, AudioDecodeError, /: not audio: the file holds text "these are my notes, not audio\\n"/);
  await assert.rejects(loadAudio(path), (e: Error) => !/ffmpeg/.test(e.message));
  const long = writeTmp("long-notes.wav", Buffer.from(`${"é".repeat(2047)}tail`)); // the 4096-byte sniff ends inside a character
  await rejects(loadAudio(long), long, AudioDecodeError, new RegExp(`not audio: the file holds text "${"é".repeat(40)}\\.\\.\\."`));
  await rejects(loadAudioBytes(Buffer.from("key /path/a.wav\n"), "request body"), "request body", AudioDecodeError, /not audio: the file holds text "key \/path\/a\.wav\\n"/);
});

test("wrong magic bytes that are not text (and no ffmpeg to try)", async () => {
  const path = writeTmp("binary.wav", Buffer.from([0x00, 0x01, 0x02, 0xfe, 0x74, 0x68, 0x65, 0x73, 0x65]));
  await rejects(loadAudio(path), path, AudioDecodeError, /bytes 00 01 02 fe 74 68 65 73\) is not WAV, FLAC, MP3, Ogg Vorbis or Ogg Opus.*ffmpeg/);
});

test("a header that claims more data than the file has", async () => {
  const bytes = Buffer.from(good);
  bytes.writeUInt32LE(100000, 40); // the data chunk's size field
  const path = writeTmp("claims-more.wav", bytes);
  await rejects(loadAudio(path), path, AudioDecodeError, /data chunk claims 100000 bytes but only 2000 are present/);
});

test("zero samples", async () => {
  const path = writeTmp("no-samples.wav", wavBytes({ rate: 44100, channels: [[]] }));
  await rejects(loadAudio(path), path, AudioTooShortError, new RegExp(`0 samples at 16 kHz, at least ${MIN_SAMPLES} are needed`));
});

test("fewer 16 kHz samples than one STFT frame needs, counted after resampling", async () => {
  const short16 = writeTmp("short-16k.wav", wavBytes({ rate: 16000, channels: [sine16(MIN_SAMPLES - 1, 16000, 100)] }));
  await rejects(loadAudio(short16), short16, AudioTooShortError, /200 samples at 16 kHz, at least 201 are needed/);
  // 100 samples at 8 kHz are 200 at 16 kHz: too short, though 100 < 201 alone would say so too;
  // 110 at 8 kHz are 220 at 16 kHz and pass although 110 < 201.
  const short8 = writeTmp("short-8k.wav", wavBytes({ rate: 8000, channels: [sine16(100, 8000, 100)] }));
  await rejects(loadAudio(short8), short8, AudioTooShortError, /200 samples at 16 kHz/);
  const enough8 = writeTmp("enough-8k.wav", wavBytes({ rate: 8000, channels: [sine16(110, 8000, 100)] }));
  assert.equal((await loadAudio(enough8)).length, 220);
  // 300 samples at 48 kHz are only 100 at 16 kHz.
  const short48 = writeTmp("short-48k.wav", wavBytes({ rate: 48000, channels: [sine16(300, 48000, 100)] }));
  await rejects(loadAudio(short48), short48, AudioTooShortError, /100 samples at 16 kHz/);
});

test("NaN or infinite samples in a float WAV", async () => {
  for (const [name, bad] of [["nan", Number.NaN], ["inf", Number.POSITIVE_INFINITY], ["-inf", Number.NEGATIVE_INFINITY]] as const) {
    const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i / 5) / 2);
    values[700] = bad;
    const path = writeTmp(`float-${name}.wav`, wavBytes({ rate: 22050, tag: 3, bits: 32, channels: [values] }));
    await rejects(loadAudio(path), path, AudioDecodeError, new RegExp(`sample 700 of channel 0 is ${String(bad).replace("+", "")}`));
  }
  // Channel 1 is never used, so a NaN there is harmless.
  const ch0 = Array.from({ length: 1000 }, () => 0.1);
  const ch1 = Array.from({ length: 1000 }, () => Number.NaN);
  const path = writeTmp("float-nan-ch1.wav", wavBytes({ rate: 16000, tag: 3, bits: 64, channels: [ch0, ch1] }));
  assert.equal((await loadAudio(path)).length, 1000);
});

test("an unsupported codec", async () => {
  // IMA ADPCM inside WAV: the container is read, the codec is named.
  const adpcm = Buffer.from(good);
  adpcm.writeUInt16LE(0x0011, 20);
  const wav = writeTmp("adpcm.wav", adpcm);
  await rejects(loadAudio(wav), wav, AudioDecodeError, /unsupported WAV format: format tag 0x0011 \(IMA ADPCM\)/);
  // AAC in MP4 needs ffmpeg, which this test has made unavailable.
  const m4a = writeTmp("voice.m4a", Buffer.from("\0\0\0\x20ftypM4A \0\0\0\0isomM4A mp42", "latin1"));
  await rejects(loadAudio(m4a), m4a, AudioDecodeError, /MP4\/M4A needs ffmpeg, and ffmpeg was not found/);
  // Ogg Speex: recognised, not decoded in-process.
  const speex = Buffer.from(silentOpusBytes(4, 1, 0, 0));
  speex.write("Speex   ", 28, "latin1");
  const spx = writeTmp("voice.spx", speex);
  await rejects(loadAudio(spx), spx, AudioDecodeError, /Ogg Speex needs ffmpeg/);
});

test("corrupt FLAC, MP3, Ogg Vorbis and Ogg Opus give AudioDecodeError, not a decoder exception", async () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["garbage.flac", Buffer.concat([Buffer.from("fLaC\x80\0\0\x22", "latin1"), flacBytes(16000, 16, [[1, 2, 3]]).subarray(8, 42), Buffer.alloc(300, 0x5a)]), /looks like FLAC but no audio frame could be decoded/],
    ["header-only.flac", flacBytes(16000, 16, [Array.from({ length: 500 }, (_, i) => i)]).subarray(0, 50), /looks like FLAC/],
    ["garbage.mp3", Buffer.concat([Buffer.from("ID3\x03\0\0\0\0\0\x10", "latin1"), Buffer.alloc(16), Buffer.alloc(500, 0x33)]), /looks like MP3/],
    ["frame-sync-only.mp3", Buffer.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0]), /looks like MP3/],
    // An Ogg page header (27 bytes + 1 lacing byte) whose packet starts like a Vorbis header.
    ["garbage.ogg", Buffer.concat([silentOpusBytes(2, 1, 0, 0).subarray(0, 28), Buffer.from("\x01vorbis", "latin1"), Buffer.alloc(40, 7)]), /looks like Ogg Vorbis/],
    ["truncated.opus", silentOpusBytes(10, 1, 312, 0).subarray(0, 40), /looks like Ogg Opus/],
  ];
  for (const [name, bytes, problem] of cases) {
    const path = writeTmp(name, bytes);
    await rejects(loadAudio(path), path, AudioDecodeError, problem);
    await rejects(decodeAudioFile(path), path, AudioDecodeError, problem);
  }
});

test("damaged fixture files fail with audio errors or decode, never anything else", { skip: FIXTURES === null ? skipReason : false }, async () => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (const file of ["en_22k.flac", "en.mp3", "stereo_44k_24bit.wav", "float32_48k.wav"]) {
    const original = readFileSync(join(FIXTURES!, "audio", file));
    for (let trial = 0; trial < 12; trial++) {
      let bytes: Buffer;
      if (trial % 3 === 0) {
        bytes = original.subarray(0, random(original.length)); // truncated anywhere
      } else {
        bytes = Buffer.from(original);
        const flips = 1 + random(40);
        // Damage the first 2 KB (headers) or anywhere.
        for (let i = 0; i < flips; i++) bytes[trial % 3 === 1 ? random(Math.min(2048, bytes.length)) : random(bytes.length)] = random(256);
      }
      const path = writeTmp(`damaged-${trial}-${file}`, bytes);
      try {
        const samples = await loadAudio(path);
        assert.ok(samples.every(Number.isFinite), `${path}: non-finite samples came through`);
      } catch (error) {
        assert.ok(isAudioError(error), `${path}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        assert.ok((error as Error).message.includes(path));
      }
    }
  }
});
