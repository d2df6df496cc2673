/** 16 kHz, 16-bit PCM, mono RIFF/WAVE bytes: the format every S3Tokenizer reader takes. */
import { SAMPLE_RATE } from "../src/features/constants.js";

const HEADER_BYTES = 44;

export function encodeWav16(samples: Float32Array): Uint8Array {
  const dataBytes = samples.length * 2;
  const bytes = new Uint8Array(HEADER_BYTES + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => [...text].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, HEADER_BYTES - 8 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, SAMPLE_RATE, true);
  view.setUint32(28, SAMPLE_RATE * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    const scaled = Math.round(samples[i]! * 32767);
    view.setInt16(HEADER_BYTES + 2 * i, Math.max(-32768, Math.min(32767, scaled)), true);
  }
  return bytes;
}
