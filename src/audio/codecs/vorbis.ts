/**
 * Ogg Vorbis through @wasm-audio-decoders/ogg-vorbis: libvorbis compiled to WebAssembly and
 * embedded (no native build, nothing downloaded), streaming, MIT-licensed, same maintained family
 * as the FLAC/MP3/Opus decoders here.
 *
 * libsox reads Vorbis through ov_read() as 16-bit integers, so torchaudio's samples are libvorbis'
 * floats rounded to 1/32768 steps; the same rounding is applied here.
 */
import { OggVorbisDecoder } from "@wasm-audio-decoders/ogg-vorbis";
import { quantize16, wrapPackageDecoder, type PackageDecoder, type StreamDecoder } from "./codec.js";

export function createVorbisDecoder(source: string): Promise<StreamDecoder> {
  return wrapPackageDecoder(source, "Ogg Vorbis", () => new OggVorbisDecoder() as unknown as PackageDecoder, quantize16);
}
