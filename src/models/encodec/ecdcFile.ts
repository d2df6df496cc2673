/**
 * `.ecdc` files without the language model (upstream compress.py, use_lm=False): the header,
 * then per segment a big-endian float32 scale (models that normalise) and the segment's codes
 * time-major (frame by frame, every row of a frame in turn) bit-packed at log2(bins) bits, the
 * last byte of each segment flushed. Segments are not delimited: the reader derives each one's
 * frames from the model's segment length, stride and frame rate and the header's audio length,
 * as upstream's decompress does. A file coded with the language model is refused (errors.ts says why).
 */
import { bitsPerCodebook, frameRate, segmentLength, segmentStride, type EncodecConfig } from "./config.js";
import { BitPacker, unpackBits } from "./ecdcBits.js";
import { decodeEcdcHeader, encodeEcdcHeader, type EcdcMetadata } from "./ecdcHeader.js";
import { EcdcFormatError, EcdcLanguageModelError } from "./errors.js";
import type { EncodecCodes, EncodecSegment } from "./model.js";

export type EcdcModelFacts = Pick<EncodecConfig, "name" | "sampleRate" | "strides" | "bins" | "normalize" | "segment" | "overlap">;

/** Frames of each segment of `audioLength` samples, as upstream's decompress computes them. */
export function ecdcSegmentFrames(facts: EcdcModelFacts, audioLength: number): number[] {
  const length = segmentLength(facts) ?? audioLength;
  const stride = segmentStride(facts) ?? audioLength;
  const rate = frameRate(facts);
  const frames: number[] = [];
  for (let offset = 0; offset < audioLength; offset += stride) frames.push(Math.ceil((Math.min(audioLength - offset, length) * rate) / facts.sampleRate));
  return frames;
}

/** The bytes upstream's compress(model, wav, use_lm=False) writes for these codes of `audioLength` samples. */
export function writeEcdc(facts: EcdcModelFacts, codes: EncodecCodes, audioLength: number): Uint8Array {
  const expected = ecdcSegmentFrames(facts, audioLength);
  const given = codes.segments.map((s) => s.frames);
  if (expected.join() !== given.join()) {
    throw new EcdcFormatError("codes", `segments of ${given.join(", ")} frames do not fit ${audioLength} samples (${facts.name} cuts them into ${expected.join(", ")})`);
  }
  const parts: Uint8Array[] = [encodeEcdcHeader({ model: facts.name, audioLength, codebooks: codes.codebooks, languageModel: false })];
  let start = 0;
  for (const segment of codes.segments) {
    if (facts.normalize) {
      if (segment.scale === undefined) throw new EcdcFormatError("codes", `${facts.name} normalises its segments, but a segment has no scale`);
      const scale = new Uint8Array(4);
      new DataView(scale.buffer).setFloat32(0, segment.scale, false);
      parts.push(scale);
    }
    const packer = new BitPacker(bitsPerCodebook(facts));
    for (let t = start; t < start + segment.frames; t++) for (let k = 0; k < codes.codebooks; k++) packer.push(codes.data[k * codes.frames + t]!);
    packer.flush();
    parts.push(packer.take());
    start += segment.frames;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The header and codes of a `.ecdc` file for the model of `facts`; `source` names it in errors. */
export function readEcdc(facts: EcdcModelFacts, bytes: Uint8Array, source: string): { meta: EcdcMetadata; codes: EncodecCodes } {
  const { meta, bodyStart } = decodeEcdcHeader(bytes, source);
  if (meta.model !== facts.name) throw new EcdcFormatError(source, `it was compressed with the model ${JSON.stringify(meta.model)}, not ${facts.name}`);
  if (meta.languageModel) throw new EcdcLanguageModelError(source);
  if (meta.audioLength === 0) throw new EcdcFormatError(source, "its audio length is 0 samples");
  const bits = bitsPerCodebook(facts);
  const segmentFrames = ecdcSegmentFrames(facts, meta.audioLength);
  const frames = segmentFrames.reduce((a, b) => a + b, 0);
  // Checked before allocating: a header's counts alone could ask for any size.
  if (meta.codebooks * frames * bits > 8 * (bytes.length - bodyStart)) {
    throw new EcdcFormatError(source, `truncated: ${meta.codebooks} rows × ${frames} frames of ${bits}-bit codes need more than the ${bytes.length - bodyStart} bytes after the header`);
  }
  const data = new Int32Array(meta.codebooks * frames); // [nc, ΣT]
  const segments: EncodecSegment[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = bodyStart;
  let start = 0;
  segmentFrames.forEach((count, j) => {
    const truncated = () => new EcdcFormatError(source, `truncated in segment ${j + 1} of ${segmentFrames.length}`);
    let scale: number | undefined;
    if (facts.normalize) {
      if (position + 4 > bytes.length) throw truncated();
      scale = view.getFloat32(position, false);
      position += 4;
    }
    const unpacked = unpackBits(bytes, position, bits, count * meta.codebooks);
    if (unpacked === null) throw truncated();
    for (let t = 0; t < count; t++) for (let k = 0; k < meta.codebooks; k++) data[k * frames + start + t] = unpacked.values[t * meta.codebooks + k]!;
    position = unpacked.end;
    segments.push(scale === undefined ? { frames: count } : { frames: count, scale });
    start += count;
  });
  if (position !== bytes.length) throw new EcdcFormatError(source, `${bytes.length - position} bytes follow the last segment's codes`);
  return { meta, codes: { data, codebooks: meta.codebooks, frames, segments } };
}
