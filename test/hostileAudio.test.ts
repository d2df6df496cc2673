/**
 * Hostile or damaged audio never takes a run down: headers are validated against the sample-rate,
 * channel and duration bounds before anything is sized from them, streams are refused or capped,
 * non-finite samples are named, and damaged FLAC/MP3 give AudioDecodeError without decoder noise.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAudio, loadAudioBytes } from "../src/audio/loadAudio.js";
import { parseWav } from "../src/audio/wav.js";
import { runPipeCommand } from "../src/audio/pipe.js";
import { checkDuration, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from "../src/audio/limits.js";
import { AudioDecodeError, InvalidInputError } from "../src/errors.js";
import { logMelSpectrogram } from "../src/features/logMel.js";
import { flacBytes, sine16, wavBytes } from "./support/audioWriters.js";
import { withoutFfmpeg } from "./support/noFfmpeg.js";

const tmp = mkdtempSync(join(tmpdir(), "s3tokenizer-hostile-"));
// Whether ffmpeg is installed must not matter: damaged input is refused before any detour to it.
withoutFfmpeg(tmp);

/** A 16-bit mono WAV of `frames` samples whose header claims `rate` Hz (any uint32). */
function wavClaiming(rate: number, frames: number): Buffer {
  const bytes = wavBytes({ rate: 16000, channels: [sine16(frames, 16000, 440)] });
  bytes.writeUInt32LE(rate, 24); // fmt body starts at 20; the rate is its bytes 4..7
  return bytes;
}

function isDecodeError(source: string, problem: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof AudioDecodeError, `expected AudioDecodeError, got ${String(e)}`);
    assert.equal(e.source, source);
    assert.match(e.message, problem);
    return true;
  };
}

test("a WAV header claiming 4,294,967,295 Hz is refused before any sample is decoded", () => {
  assert.throws(() => parseWav(wavClaiming(0xffffffff, 16000), "huge.wav"), isDecodeError("huge.wav", /sample rate 4294967295 Hz is outside/));
});

test("WAV rates just outside the raw-PCM bounds are refused, the bounds themselves accepted", async () => {
  await assert.rejects(loadAudioBytes(wavClaiming(MIN_SAMPLE_RATE - 1, 4000), "slow.wav"), isDecodeError("slow.wav", /999 Hz is outside/));
  assert.throws(() => parseWav(wavClaiming(MAX_SAMPLE_RATE + 1, 100), "fast.wav"), isDecodeError("fast.wav", /outside/));
  const atMin = await loadAudioBytes(wavClaiming(MIN_SAMPLE_RATE, 4000), "min.wav");
  assert.equal(atMin.length, 4000 * 16); // 4 s at 1 kHz is 4 s at 16 kHz
});

test("a WAV header claiming 65535 channels is refused", () => {
  const bytes = wavClaiming(16000, 100);
  // Consistent otherwise (8-bit, block align = channels), so only the channel count is wrong.
  bytes.writeUInt16LE(65535, 22);
  bytes.writeUInt16LE(65535, 32);
  bytes.writeUInt16LE(8, 34);
  assert.throws(() => parseWav(bytes, "many.wav"), isDecodeError("many.wav", /65535 channels/));
});

test("the duration cap names the input and the limit", () => {
  assert.doesNotThrow(() => checkDuration(16000 * 10, 16000, "ok", 10));
  assert.throws(() => checkDuration(16000 * 10 + 1, 16000, "long.wav", 10), isDecodeError("long.wav", /more than 10 s of audio/));
});

test("a device file is refused as not a regular file instead of being read", async () => {
  await assert.rejects(loadAudio("/dev/null"), isDecodeError("/dev/null", /not a regular file/));
});

test("a FIFO is refused without waiting for a writer", { timeout: 10_000 }, async () => {
  const fifo = join(tmp, "fifo");
  execFileSync("mkfifo", [fifo]);
  await assert.rejects(loadAudio(fifo), isDecodeError(fifo, /not a regular file.*--allow_pipes/));
});

test("a pipe command's output is capped", async () => {
  const entry = "head -c 100000 /dev/zero |";
  await assert.rejects(runPipeCommand(entry, 1000), isDecodeError(entry, /more than 1000 bytes/));
  assert.equal((await runPipeCommand("head -c 999 /dev/zero |", 1000)).length, 999);
});

test("NaN or Infinity in a Float32Array is an InvalidInputError naming the input and the first bad index", () => {
  const samples = new Float32Array(16000).fill(0.1);
  samples[1234] = Number.NaN;
  samples[5000] = Number.POSITIVE_INFINITY;
  assert.throws(() => logMelSpectrogram(samples, 128, { source: "samples[2]" }), (e: unknown) => {
    assert.ok(e instanceof InvalidInputError);
    assert.match(e.message, /^samples\[2\]: sample 1234 is NaN/);
    return true;
  });
});

test("random bytes after a FLAC marker are a damaged FLAC, not a job for ffmpeg", async () => {
  const noise = Buffer.alloc(4000);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) & 0xff;
  const path = join(tmp, "noise.flac");
  writeFileSync(path, Buffer.concat([Buffer.from("fLaC", "latin1"), noise]));
  await assert.rejects(loadAudio(path), (e: unknown) => {
    assert.ok(e instanceof AudioDecodeError);
    assert.match(e.message, /header is damaged|outside the supported/);
    assert.doesNotMatch(e.message, /ffmpeg/);
    return true;
  });
  // A well-formed FLAC still decodes.
  const good = join(tmp, "good.flac");
  writeFileSync(good, flacBytes(16000, 16, [sine16(8000, 16000, 300)]));
  assert.equal((await loadAudio(good)).length, 8000);
});

test("garbage behind MP3 frame headers is an AudioDecodeError and the decoder prints nothing", async () => {
  // One MPEG-1 layer III frame header (128 kb/s, 44.1 kHz) followed by pseudo-random bytes.
  const garbage = Buffer.alloc(20000);
  let seed = 1;
  for (let i = 0; i < garbage.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    garbage[i] = seed >>> 24;
  }
  garbage.set([0xff, 0xfb, 0x90, 0x00], 0);
  const path = join(tmp, "garbage.mp3");
  writeFileSync(path, garbage);
  const printed: string[] = [];
  const saved = console.error;
  console.error = (...args: unknown[]) => void printed.push(args.join(" "));
  try {
    await assert.rejects(loadAudio(path), isDecodeError(path, /MP3/));
  } finally {
    console.error = saved;
  }
  assert.deepEqual(printed, []);
});
