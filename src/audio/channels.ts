/**
 * A decoded block's channels as a model takes them (its AudioFormat's channel count), following
 * upstream: a mono speech model keeps channel 0 (`load_audio()`), or the mean where the model says
 * so; a model of C channels keeps C equal channels of a C-channel file, duplicates a mono file into
 * all C (EnCodec's `convert_audio`), keeps the first C of a file with more, and refuses a file of
 * 2 .. C − 1 channels, which has no meaning as C.
 */
import { AudioDecodeError } from "../errors.js";
import type { DecodedBlock } from "./source.js";
import type { AudioFormat } from "./format.js";

/** The mean over channels, per frame: [frames]. */
function meanOf(channels: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(channels[0]!.length); // [frames]
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (const channel of channels) sum += channel[i]!;
    out[i] = sum / channels.length;
  }
  return out;
}

/**
 * `format.channels` arrays of the block's frames: views or the block's own arrays where nothing is
 * mixed (mono "first" is `block.samples` itself, as before models had formats).
 */
export function modelChannels(block: DecodedBlock, format: AudioFormat, source: string): Float32Array[] {
  const want = format.channels;
  const have = block.channels;
  if (want === 1) {
    if (have === 1 || format.mixToMono !== "mean") return [block.samples];
    return [meanOf([block.samples, ...block.otherChannels!()])];
  }
  if (have === 1) return Array.from({ length: want }, () => block.samples);
  if (have < want) {
    throw new AudioDecodeError(source, `has ${have} channels and the model takes ${want}: only a mono file (duplicated) or one of at least ${want} channels (the first ${want} kept) can be brought to it`);
  }
  return [block.samples, ...block.otherChannels!().slice(0, want - 1)];
}
