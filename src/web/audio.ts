/**
 * Audio in a page through the toolkit's own decoders and torchaudio's resampling kernel (not the
 * browser's decodeAudioData, whose resampling differs), so a file gives the same samples, and
 * so the same tokens, as in Node.
 */
import { checkedBlocks, openBytesInProcess } from "../audio/decodeBytes.js";
import { describeMagic } from "../audio/formats.js";
import { SPEECH_16K_MONO, type AudioFormat } from "../audio/format.js";
import { toModelFormat } from "../audio/toModelFormat.js";
import { AudioDecodeError } from "../errors.js";

/** The formats a page decodes (Node also has ffmpeg for the rest). */
export const WEB_AUDIO_FORMATS = "WAV, FLAC, MP3, Ogg Vorbis and Ogg Opus";

/**
 * An audio file's bytes as a model takes them (`format`: a loaded model is one): its channels at
 * its rate, planar [channels, frames] ([frames] for mono), as loadAudio gives them in Node. `name`
 * names the file in errors. AudioDecodeError for damaged or unsupported input, AudioTooShortError
 * for less than one feature frame.
 */
export async function decodeAudioForModel(input: Uint8Array | Blob, format: AudioFormat, name = "audio"): Promise<Float32Array> {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(await input.arrayBuffer());
  const opened = openBytesInProcess(bytes, name);
  if (!("audio" in opened)) {
    const what = opened.guess.recognised ? opened.guess.name : `the data (${describeMagic(opened.head)})`;
    throw new AudioDecodeError(name, `unsupported format: ${what}; in the browser audio is decoded from ${WEB_AUDIO_FORMATS}`);
  }
  return toModelFormat(format)(opened.audio, checkedBlocks(opened.audio, name), name);
}

/**
 * 16 kHz mono samples (channel 0, as upstream's load_audio) of an audio file's bytes.
 * @deprecated Use decodeAudioForModel(input, model, name): a model's own rate and channels.
 */
export function decodeAudioToMono16k(input: Uint8Array | Blob, name = "audio"): Promise<Float32Array> {
  return decodeAudioForModel(input, SPEECH_16K_MONO, name);
}
