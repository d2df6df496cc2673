/**
 * Ogg Opus through ogg-opus-decoder: libopus compiled to WebAssembly and embedded (no native build,
 * nothing downloaded; its optional machine-learning enhancement, the only part it would load
 * lazily, stays off), streaming, honours the stream's pre-skip and end trimming, MIT-licensed,
 * same maintained family as the other decoders here. Opus always decodes at 48 kHz, as libsox
 * reports it.
 *
 * libsox reads Opus through opusfile's op_read() as 16-bit integers; the samples are rounded to
 * 1/32768 steps likewise (opusfile adds a tiny dither when it does this, which cannot be
 * reproduced: the difference is at most a few 16-bit steps).
 */
import { quantize16, wrapPackageDecoder, type PackageDecoder, type StreamDecoder } from "./codec.js";

export async function createOpusDecoder(source: string): Promise<StreamDecoder> {
  // Imported on first use: its embedded WebAssembly (4 MB with the enhancement's) would otherwise
  // be most of the browser bundle's download, for a format few pages are given.
  const { OggOpusDecoder } = await import("ogg-opus-decoder");
  return wrapPackageDecoder(source, "Ogg Opus", () => new OggOpusDecoder({ speechQualityEnhancement: "none" }) as unknown as PackageDecoder, quantize16);
}
