/**
 * The first key of a torch checkpoint's top-level dict, read from the file's opening bytes only:
 * enough to tell checkpoints of different programs apart without reading (or running) the whole
 * pickle. openai's Whisper saves {"dims", "model_state_dict"}; fairseq saves {"args", "cfg",
 * "model", ...} or, older, {"args", "model", ...}. A torch zip's first entry is its `data.pkl`,
 * stored uncompressed, so the object pickle starts a few dozen bytes in; a legacy (pre-1.6) file
 * has three small pickles first (magic number, protocol, sys info), skipped by their STOP opcodes.
 * Browser-safe (bytes in, a string out).
 */
import { isLegacyCheckpoint } from "./legacyFormat.js";

/** Bytes to read for checkFirstKey: a zip's local header (name and alignment padding included) and the dict's opening opcodes. */
export const FIRST_KEY_HEAD_BYTES = 4096;

const ZIP_LOCAL_HEADER = 0x04034b50;
const PROTO = 0x80;
const FRAME = 0x95;
const EMPTY_DICT = 0x7d;
const BINPUT = 0x71;
const LONG_BINPUT = 0x72;
const MEMOIZE = 0x94;
const MARK = 0x28;
const BINUNICODE = 0x58;
const SHORT_BINUNICODE = 0x8c;
const SHORT_BINSTRING = 0x55;
const BINSTRING = 0x54;
const STOP = 0x2e;

const utf8 = new TextDecoder();

/** Where the object pickle starts in `head`, or undefined when the head is not a torch checkpoint it can place. */
function objectPickleStart(head: Uint8Array): number | undefined {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length >= 30 && view.getUint32(0, true) === ZIP_LOCAL_HEADER) {
    const stored = view.getUint16(8, true) === 0;
    const nameLength = view.getUint16(26, true);
    const extraLength = view.getUint16(28, true);
    const name = utf8.decode(head.subarray(30, 30 + nameLength));
    return stored && name.endsWith("data.pkl") ? 30 + nameLength + extraLength : undefined;
  }
  if (!isLegacyCheckpoint(head)) return undefined;
  // The protocol-version pickle (an int) and sys info ({"protocol_version", "little_endian",
  // "type_sizes"}: short keys, small ints) hold no byte 0x2e before their STOP.
  let at = 15;
  for (let pickle = 0; pickle < 2; pickle++) {
    const stop = head.indexOf(STOP, at);
    if (stop < 0) return undefined;
    at = stop + 1;
  }
  return at;
}

/**
 * The first key of the checkpoint's top-level dict, from its opening bytes (FIRST_KEY_HEAD_BYTES
 * of them suffice); undefined when the bytes are no torch checkpoint whose object is a dict with a
 * string key first. Nothing is executed: only the dict's opening opcodes are read.
 */
export function checkpointFirstKey(head: Uint8Array): string | undefined {
  let at = objectPickleStart(head);
  if (at === undefined) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const byte = (): number | undefined => (at! < head.length ? head[at!++] : undefined);
  if (byte() !== PROTO) return undefined;
  at += 1;
  if (head[at] === FRAME) at += 9;
  if (byte() !== EMPTY_DICT) return undefined;
  const memo = head[at];
  if (memo === BINPUT) at += 2;
  else if (memo === LONG_BINPUT) at += 5;
  else if (memo === MEMOIZE) at += 1;
  if (head[at] === MARK) at += 1;
  const opcode = byte();
  let length: number;
  if (opcode === SHORT_BINUNICODE || opcode === SHORT_BINSTRING) length = byte() ?? -1;
  else if ((opcode === BINUNICODE || opcode === BINSTRING) && at + 4 <= head.length) {
    length = view.getUint32(at, true);
    at += 4;
  } else return undefined;
  if (length < 0 || at + length > head.length) return undefined;
  return utf8.decode(head.subarray(at, at + length));
}
