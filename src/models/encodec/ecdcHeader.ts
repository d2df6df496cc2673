/**
 * The header of EnCodec's `.ecdc` files (upstream binary.py): the magic "ECDC", a uint8 version
 * (0), a big-endian uint32 byte length, then that many bytes of UTF-8 JSON metadata, as Python's
 * json.dumps writes it (", " and ": " separators, non-ASCII escaped), in compress.py's key order:
 * {"m": model name, "al": audio length in samples, "nc": code rows, "lm": language model used}.
 */
import { EcdcFormatError } from "./errors.js";

export interface EcdcMetadata {
  /** The model's name ("encodec_24khz", "encodec_48khz"). */
  model: string;
  /** Samples per channel of the compressed audio. */
  audioLength: number;
  /** Code rows per frame. */
  codebooks: number;
  /** Whether the codes are arithmetic-coded with the language model. */
  languageModel: boolean;
}

const MAGIC = [0x45, 0x43, 0x44, 0x43]; // "ECDC"
const VERSION = 0;
/** Magic, version, JSON length. */
export const ECDC_PREAMBLE_BYTES = 9;
/** A bound on the JSON's length: upstream's is under a hundred bytes. */
const MAX_JSON_BYTES = 1 << 16;

/** A string as Python's json.dumps quotes it (ensure_ascii: every non-ASCII code unit as \uXXXX). */
function pythonJsonString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function encodeEcdcHeader(meta: EcdcMetadata): Uint8Array {
  const json = `{"m": ${pythonJsonString(meta.model)}, "al": ${meta.audioLength}, "nc": ${meta.codebooks}, "lm": ${meta.languageModel}}`;
  const body = new TextEncoder().encode(json);
  const out = new Uint8Array(ECDC_PREAMBLE_BYTES + body.length);
  out.set(MAGIC, 0);
  out[4] = VERSION;
  new DataView(out.buffer).setUint32(5, body.length, false);
  out.set(body, ECDC_PREAMBLE_BYTES);
  return out;
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min;
}

/** The metadata and where the code stream starts; EcdcFormatError naming `source` for anything else. */
export function decodeEcdcHeader(bytes: Uint8Array, source: string): { meta: EcdcMetadata; bodyStart: number } {
  if (bytes.length < ECDC_PREAMBLE_BYTES) throw new EcdcFormatError(source, `${bytes.length} bytes, shorter than the ${ECDC_PREAMBLE_BYTES}-byte header`);
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new EcdcFormatError(source, "it does not start with the magic bytes ECDC");
  if (bytes[4] !== VERSION) throw new EcdcFormatError(source, `format version ${bytes[4]}; only version ${VERSION} exists`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(5, false);
  if (length > MAX_JSON_BYTES) throw new EcdcFormatError(source, `its metadata claims ${length} bytes, more than any .ecdc holds (at most ${MAX_JSON_BYTES})`);
  const bodyStart = ECDC_PREAMBLE_BYTES + length;
  if (bytes.length < bodyStart) throw new EcdcFormatError(source, `truncated: its metadata claims ${length} bytes, ${bytes.length - ECDC_PREAMBLE_BYTES} follow the header`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(ECDC_PREAMBLE_BYTES, bodyStart)));
  } catch (error) {
    throw new EcdcFormatError(source, `its metadata is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new EcdcFormatError(source, "its metadata is not a JSON object");
  const m = raw as Record<string, unknown>;
  if (typeof m["m"] !== "string") throw new EcdcFormatError(source, `its metadata's model name "m" is ${JSON.stringify(m["m"])}, expected a string`);
  if (!isCount(m["al"], 0)) throw new EcdcFormatError(source, `its metadata's audio length "al" is ${JSON.stringify(m["al"])}, expected a whole number`);
  if (!isCount(m["nc"], 1)) throw new EcdcFormatError(source, `its metadata's code rows "nc" is ${JSON.stringify(m["nc"])}, expected a positive whole number`);
  if (typeof m["lm"] !== "boolean") throw new EcdcFormatError(source, `its metadata's "lm" is ${JSON.stringify(m["lm"])}, expected true or false`);
  return { meta: { model: m["m"], audioLength: m["al"], codebooks: m["nc"], languageModel: m["lm"] }, bodyStart };
}
