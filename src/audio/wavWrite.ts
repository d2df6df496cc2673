/**
 * Mono RIFF/WAVE bytes from float samples: 16-bit PCM (what most tools read) or 32-bit IEEE
 * float (no quantisation, for comparing decoded audio). Written by hand: a WAV header is 44
 * fixed bytes, less than an encoder package's import costs.
 */

/** "s16": 16-bit PCM, samples scaled by 32767, rounded and clipped to [-32768, 32767]. "f32": 32-bit float as is. */
export type WavSampleFormat = "s16" | "f32";

const HEADER_BYTES = 44;
const PCM = 1;
const IEEE_FLOAT = 3;

export function encodeWav(samples: Float32Array, sampleRate: number, format: WavSampleFormat = "s16"): Uint8Array {
  const bytesPerSample = format === "s16" ? 2 : 4;
  const dataBytes = samples.length * bytesPerSample;
  const bytes = new Uint8Array(HEADER_BYTES + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => [...text].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, HEADER_BYTES - 8 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, format === "s16" ? PCM : IEEE_FLOAT, true);
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample, true); // byte rate
  view.setUint16(32, bytesPerSample, true); // block align
  view.setUint16(34, bytesPerSample * 8, true); // bits per sample
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  if (format === "f32") {
    for (let i = 0; i < samples.length; i++) view.setFloat32(HEADER_BYTES + 4 * i, samples[i]!, true);
  } else {
    for (let i = 0; i < samples.length; i++) {
      const scaled = Math.round(samples[i]! * 32767);
      view.setInt16(HEADER_BYTES + 2 * i, Math.max(-32768, Math.min(32767, scaled)), true);
    }
  }
  return bytes;
}
