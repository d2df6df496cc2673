/**
 * Containers and codecs nothing in-process reads (MP4/M4A with AAC or ALAC, WebM, AIFF, AMR, ...)
 * go through the `ffmpeg` program when it is installed: it decodes the first audio stream to
 * 32-bit float WAV on its standard output (every channel, the original rate: choosing or mixing
 * channels and resampling stay here, so they are the same as for every other format), which is read as it
 * arrives. `S3TOKENIZER_FFMPEG` names another binary.
 */
import { spawn } from "node:child_process";
import { AudioDecodeError } from "../errors.js";
import type { AudioSource, DecodedBlock } from "./source.js";
import { decodeFirstChannel, locateWavData, otherChannelsAt, type WavLayout } from "./wav.js";

/** The ffmpeg binary: S3TOKENIZER_FFMPEG, else `ffmpeg` on the PATH. */
export function ffmpegBinary(): string {
  const configured = process.env.S3TOKENIZER_FFMPEG;
  return configured !== undefined && configured !== "" ? configured : "ffmpeg";
}

/** Raised inside the header scan when the bytes so far end before the header does. */
class NeedMoreBytes extends Error {}

/** The WAV layout at the start of ffmpeg's output, or null when more output is needed. */
function scanHeader(prefix: Uint8Array, source: string): WavLayout | null {
  try {
    // Its length is unknown (a pipe): ffmpeg writes a placeholder data size and data to the end.
    return locateWavData(
      Number.MAX_SAFE_INTEGER,
      (at, length) => {
        if (at + length > prefix.length) throw new NeedMoreBytes();
        return prefix.subarray(at, at + length);
      },
      source,
    );
  } catch (error) {
    if (error instanceof NeedMoreBytes) return null;
    throw error;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** What the file looked like, for messages. */
export interface FfmpegInput {
  /** E.g. "MP4/M4A", "FLAC with 20-bit samples", or a description of unrecognised bytes. */
  name: string;
  /** False when no magic bytes matched: the message then says which formats are known. */
  recognised: boolean;
}

function notInstalledMessage(input: FfmpegInput, why: string): string {
  const fix = "install ffmpeg (or set S3TOKENIZER_FFMPEG to its path)";
  return input.recognised
    ? `${input.name} needs ffmpeg, and ${why}: ${fix}, or convert the file to WAV, FLAC, MP3, Ogg Vorbis or Ogg Opus, which are read in-process`
    : `${input.name} is not WAV, FLAC, MP3, Ogg Vorbis or Ogg Opus (read in-process); other formats need ffmpeg, and ${why}: ${fix}`;
}

/**
 * Decode `path` with ffmpeg. `source` names the input in errors (it differs from `path` when
 * bytes were spilled to a temporary file).
 */
export function ffmpegSource(path: string, source: string, input: FfmpegInput): AudioSource {
  const formatName = input.name;
  const binary = ffmpegBinary();
  async function* blocks(): AsyncGenerator<DecodedBlock> {
    const child = spawn(
      binary,
      ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", path, "-map", "0:a:0", "-c:a", "pcm_f32le", "-f", "wav", "pipe:1"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-800);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ code, signal }));
    });
    // The failure to start surfaces as an 'error' event; keep it from being unhandled meanwhile.
    exited.catch(() => undefined);

    let pending: Uint8Array = new Uint8Array(0);
    let layout: WavLayout | null = null;
    let yielded = 0;
    let finished = false;
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        pending = concat(pending, chunk);
        if (layout === null) {
          layout = scanHeader(pending, source);
          if (layout === null) continue;
          pending = pending.subarray(layout.dataAt);
        }
        const { format } = layout;
        const frames = Math.floor(pending.length / format.blockAlign);
        if (frames === 0) continue;
        const view = new DataView(pending.buffer, pending.byteOffset, pending.byteLength);
        const block: DecodedBlock = { samples: decodeFirstChannel(view, 0, frames, format), sampleRate: format.sampleRate, channels: format.channels };
        const others = otherChannelsAt(view, 0, frames, format);
        if (others !== undefined) block.otherChannels = others;
        yield block;
        yielded += frames;
        // Keep the partial frame for the next chunk (a copy: the chunk's memory is not kept alive).
        pending = pending.slice(frames * format.blockAlign);
      }
      let status: { code: number | null; signal: NodeJS.Signals | null };
      try {
        status = await exited;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const why = code === "ENOENT" ? `ffmpeg was not found (tried "${binary}")` : `ffmpeg could not be started: ${(error as Error).message}`;
        throw new AudioDecodeError(source, notInstalledMessage(input, why), { cause: error });
      }
      if (status.code !== 0) {
        const how = status.signal ?? `exit code ${status.code}`;
        throw new AudioDecodeError(source, `${formatName}: ffmpeg failed (${how}): ${stderr.trim() || "no message"}`);
      }
      if (layout === null) {
        throw new AudioDecodeError(source, `${formatName}: ffmpeg produced no audio${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
      }
      if (yielded === 0) {
        // No frames at all: one empty block still tells the consumer the rate.
        yield { samples: new Float32Array(0), sampleRate: layout.format.sampleRate, channels: layout.format.channels };
      }
      finished = true;
    } finally {
      // A consumer that stops early (a bad sample, an error downstream) must not leave ffmpeg running.
      if (!finished && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  }

  return { totalFrames: null, blocks: blocks() };
}
