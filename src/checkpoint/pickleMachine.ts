/**
 * A pickle opcode interpreter, written by hand for reading torch checkpoints. A general pickle
 * library (pickleparser, used before) executes what the file says with the file's own numbers:
 * BUILD copies any state onto any object (a list's `length` set to 2^32-1, then filled until the
 * process aborts), LONG4 decodes integers of any length (a 256 KiB one took a minute of BigInt
 * work), and nesting is as deep as the file likes (a stack overflow in whatever walks it next),
 * and it offers no hook to refuse any of these. Here:
 *  - integers are at most 8 bytes (LONG1/LONG4 longer than that are refused before being read);
 *  - every length is checked against the bytes left before anything is decoded;
 *  - BUILD, calls and NEWOBJ go through the caller's hooks, which decide what may receive state
 *    and which classes may be instantiated (as inert stand-ins);
 *  - the finished value is walked once (without recursion) and refused when containers nest more
 *    than MAX_DEPTH deep or contain themselves, so later recursive walks cannot overflow.
 * The opcodes are protocol 2's (what torch.save writes, the legacy format included) plus the few
 * of protocols 3-4 a re-saved file may hold (bytes, short strings, frames, STACK_GLOBAL, sets).
 * Dicts become Map, lists, tuples and sets arrays, None null; integers are numbers (bigint beyond
 * 2^53).
 */

/** How deep containers may nest. State dicts nest a few levels; the bound keeps walks off the stack limit. */
export const MAX_DEPTH = 1000;
/** Bytes of the longest integer accepted: a checkpoint's integers (sizes, offsets, counters) fit in 64 bits. */
const MAX_INTEGER_BYTES = 8;
/** The longest GLOBAL line (a dotted module path or a name). */
const MAX_LINE = 1000;

/** What the caller decides: names, persistent ids, calls and object state. Hooks throw to refuse. */
export interface PickleHooks {
  /** GLOBAL / STACK_GLOBAL module.name: the stand-in pushed for it. */
  global(module: string, name: string): unknown;
  /** BINPERSID: the object a persistent id names. */
  persistentLoad(pid: unknown): unknown;
  /** REDUCE: `callable(...args)`. */
  call(callable: unknown, args: unknown[]): unknown;
  /** NEWOBJ / NEWOBJ_EX: `cls.__new__(cls, *args)` (its state, if any, comes by a later BUILD). */
  newObject(cls: unknown, args: unknown[]): unknown;
  /**
   * BUILD: `state` for `target` (which stays on the stack). `stream` gives the raw bytes that
   * follow the opcode, for formats that write data there (joblib's numpy arrays).
   */
  build(target: unknown, state: unknown, stream: RawStream): void;
  /** EXT1/EXT2/EXT4: an extension-registry code. */
  extension(code: number): unknown;
}

/** The bytes after the current opcode, taken in order (each length checked against what is left). */
export interface RawStream {
  take(count: number): Uint8Array;
}

/**
 * A pickle this interpreter will not read: `damaged` when the bytes are not a well-formed pickle
 * (truncated, unknown opcode, an opcode on the wrong kind of value), otherwise refused by a bound.
 */
export class PickleError extends Error {
  constructor(
    message: string,
    /** Byte offset of the opcode, from the start of the bytes given. */
    readonly offset: number,
    readonly damaged: boolean,
  ) {
    super(message);
  }
}

/** Marks on the stack (MARK): a unique object, never a pickled value. */
const MARK = Symbol("mark");

const decoder = new TextDecoder();

/** Runs one pickle from `bytes[start]` to its STOP; returns the value and where the next byte is. */
export function runPickle(bytes: Uint8Array, start: number, hooks: PickleHooks): { value: unknown; end: number } {
  return new PickleMachine(bytes, start, hooks).run();
}

class PickleMachine {
  private readonly view: DataView;
  private position: number;
  /** Where the current opcode began (for errors). */
  private opcodeAt = 0;
  private stack: unknown[] = [];
  private readonly memo = new Map<number, unknown>();

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly hooks: PickleHooks,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.position = start;
  }

  private damaged(message: string): PickleError {
    return new PickleError(message, this.opcodeAt, true);
  }

  private take(count: number): number {
    if (count > this.bytes.length - this.position) {
      throw this.damaged(`needs ${count} bytes, ${this.bytes.length - this.position} left (truncated)`);
    }
    const at = this.position;
    this.position += count;
    return at;
  }

  private u8(): number {
    return this.bytes[this.take(1)]!;
  }
  private u16(): number {
    return this.view.getUint16(this.take(2), true);
  }
  private u32(): number {
    return this.view.getUint32(this.take(4), true);
  }
  private i32(): number {
    return this.view.getInt32(this.take(4), true);
  }
  /** A 64-bit length, checked against the bytes left (so it always fits a number). */
  private u64Length(): number {
    const at = this.take(8);
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(this.bytes.length - this.position)) throw this.damaged(`a length of ${value} bytes, ${this.bytes.length - this.position} left (truncated)`);
    return Number(value);
  }
  private raw(count: number): Uint8Array {
    const at = this.take(count);
    return this.bytes.subarray(at, at + count);
  }
  private text(count: number): string {
    return decoder.decode(this.raw(count));
  }
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0 || end - this.position > MAX_LINE) throw this.damaged(`no end of line within ${MAX_LINE} bytes`);
    const text = this.text(end - this.position);
    this.position++;
    return text;
  }

  /** Little-endian two's complement integer of `count` bytes (LONG1/LONG4), at most 8. */
  private integer(count: number): number | bigint {
    if (count > MAX_INTEGER_BYTES) {
      throw new PickleError(`an integer of ${count} bytes (a checkpoint's integers fit in ${MAX_INTEGER_BYTES})`, this.opcodeAt, false);
    }
    const data = this.raw(count);
    let value = 0n;
    for (let i = count - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[i]!);
    if (count > 0 && (data[count - 1]! & 0x80) !== 0) value -= 1n << BigInt(8 * count);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  private push(value: unknown): void {
    this.stack.push(value);
  }
  private pop(): unknown {
    if (this.stack.length === 0) throw this.damaged("pops an empty stack");
    const value = this.stack.pop();
    if (value === MARK) throw this.damaged("pops a mark");
    return value;
  }
  private top(): unknown {
    const value = this.stack[this.stack.length - 1];
    if (this.stack.length === 0 || value === MARK) throw this.damaged("needs a value on the stack");
    return value;
  }
  /** The items above the last mark, removed with the mark. */
  private popMark(): unknown[] {
    const mark = this.stack.lastIndexOf(MARK);
    if (mark < 0) throw this.damaged("no mark on the stack");
    const items = this.stack.slice(mark + 1);
    this.stack.length = mark;
    return items;
  }
  private list(value: unknown): unknown[] {
    if (!Array.isArray(value)) throw this.damaged("appends to something that is not a list");
    return value;
  }
  private dict(value: unknown): Map<unknown, unknown> {
    if (!(value instanceof Map)) throw this.damaged("sets an item of something that is not a dict");
    return value;
  }
  private setItems(dict: Map<unknown, unknown>, items: readonly unknown[]): void {
    if (items.length % 2 !== 0) throw this.damaged("a dict's items are not key-value pairs");
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  }
  private memoGet(index: number): unknown {
    if (!this.memo.has(index)) throw this.damaged(`memo entry ${index} was never stored`);
    return this.memo.get(index);
  }

  run(): { value: unknown; end: number } {
    for (;;) {
      this.opcodeAt = this.position;
      const opcode = this.u8();
      switch (opcode) {
        case 0x80: { // PROTO
          const version = this.u8();
          if (version > 5) throw this.damaged(`pickle protocol ${version}`);
          break;
        }
        case 0x95: // FRAME: a length hint only
          this.take(8);
          break;
        case 0x2e: { // STOP
          const value = this.pop();
          checkNesting(value, this.opcodeAt);
          return { value, end: this.position };
        }
        case 0x28: this.push(MARK); break; // MARK
        case 0x30: this.pop(); break; // POP
        case 0x31: this.popMark(); break; // POP_MARK
        case 0x32: this.push(this.top()); break; // DUP

        case 0x4e: this.push(null); break; // NONE
        case 0x88: this.push(true); break; // NEWTRUE
        case 0x89: this.push(false); break; // NEWFALSE
        case 0x4b: this.push(this.u8()); break; // BININT1
        case 0x4d: this.push(this.u16()); break; // BININT2
        case 0x4a: this.push(this.i32()); break; // BININT
        case 0x8a: this.push(this.integer(this.u8())); break; // LONG1
        case 0x8b: this.push(this.integer(this.u32())); break; // LONG4
        case 0x47: this.push(this.view.getFloat64(this.take(8), false)); break; // BINFLOAT (big-endian)

        case 0x58: this.push(this.text(this.u32())); break; // BINUNICODE
        case 0x8c: this.push(this.text(this.u8())); break; // SHORT_BINUNICODE
        case 0x8d: this.push(this.text(this.u64Length())); break; // BINUNICODE8
        case 0x54: { // BINSTRING (Python 2 str; torch.load decodes it as UTF-8)
          const length = this.i32();
          if (length < 0) throw this.damaged("a negative string length");
          this.push(this.text(length));
          break;
        }
        case 0x55: this.push(this.text(this.u8())); break; // SHORT_BINSTRING
        case 0x42: this.push(this.raw(this.u32())); break; // BINBYTES
        case 0x43: this.push(this.raw(this.u8())); break; // SHORT_BINBYTES

        case 0x29: this.push([]); break; // EMPTY_TUPLE
        case 0x74: this.push(this.popMark()); break; // TUPLE
        case 0x85: this.push([this.pop()]); break; // TUPLE1
        case 0x86: { // TUPLE2
          const b = this.pop();
          this.push([this.pop(), b]);
          break;
        }
        case 0x87: { // TUPLE3
          const c = this.pop();
          const b = this.pop();
          this.push([this.pop(), b, c]);
          break;
        }
        case 0x5d: this.push([]); break; // EMPTY_LIST
        case 0x6c: this.push(this.popMark()); break; // LIST
        case 0x61: { // APPEND
          const item = this.pop();
          this.list(this.top()).push(item);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark();
          const list = this.list(this.top());
          for (const item of items) list.push(item);
          break;
        }
        case 0x8f: this.push([]); break; // EMPTY_SET
        case 0x91: this.push(this.popMark()); break; // FROZENSET
        case 0x90: { // ADDITEMS
          const items = this.popMark();
          const set = this.list(this.top());
          for (const item of items) set.push(item);
          break;
        }
        case 0x7d: this.push(new Map()); break; // EMPTY_DICT
        case 0x64: { // DICT
          const dict = new Map<unknown, unknown>();
          this.setItems(dict, this.popMark());
          this.push(dict);
          break;
        }
        case 0x73: { // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.dict(this.top()), [key, value]);
          break;
        }
        case 0x75: { // SETITEMS
          const items = this.popMark();
          this.setItems(this.dict(this.top()), items);
          break;
        }

        case 0x71: this.memo.set(this.u8(), this.top()); break; // BINPUT
        case 0x72: this.memo.set(this.u32(), this.top()); break; // LONG_BINPUT
        case 0x94: this.memo.set(this.memo.size, this.top()); break; // MEMOIZE
        case 0x68: this.push(this.memoGet(this.u8())); break; // BINGET
        case 0x6a: this.push(this.memoGet(this.u32())); break; // LONG_BINGET

        case 0x63: { // GLOBAL
          const module = this.line();
          this.push(this.hooks.global(module, this.line()));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== "string" || typeof name !== "string") throw this.damaged("STACK_GLOBAL of values that are not strings");
          this.push(this.hooks.global(module, name));
          break;
        }
        case 0x69: { // INST: the name goes through the hooks (and is refused there unless allowed)
          const module = this.line();
          this.hooks.global(module, this.line());
          throw this.damaged("INST (building an instance), which torch.save does not write");
        }
        case 0x6f: // OBJ (protocol 0-1 instances; torch.save writes protocol 2)
          throw this.damaged("opcode 0x6f (OBJ, building an instance), which torch.save does not write");
        case 0x81: { // NEWOBJ
          const args = this.pop();
          const cls = this.pop();
          if (!Array.isArray(args)) throw this.damaged("NEWOBJ with arguments that are not a tuple");
          this.push(this.hooks.newObject(cls, args));
          break;
        }
        case 0x92: { // NEWOBJ_EX: keyword arguments are refused (no allowed class takes any)
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          if (!Array.isArray(args)) throw this.damaged("NEWOBJ_EX with arguments that are not a tuple");
          if (!(kwargs instanceof Map) || kwargs.size > 0) throw this.damaged("NEWOBJ_EX with keyword arguments");
          this.push(this.hooks.newObject(cls, args));
          break;
        }
        case 0x82: this.push(this.hooks.extension(this.u8())); break; // EXT1
        case 0x83: this.push(this.hooks.extension(this.u16())); break; // EXT2
        case 0x84: this.push(this.hooks.extension(this.u32())); break; // EXT4
        case 0x51: this.push(this.hooks.persistentLoad(this.pop())); break; // BINPERSID
        case 0x52: { // REDUCE
          const args = this.pop();
          const callable = this.pop();
          if (!Array.isArray(args)) throw this.damaged("REDUCE with arguments that are not a tuple");
          this.push(this.hooks.call(callable, args));
          break;
        }
        case 0x62: { // BUILD
          const state = this.pop();
          this.hooks.build(this.top(), state, {
            take: (count) => {
              if (!Number.isSafeInteger(count) || count < 0) throw this.damaged(`reads ${count} raw bytes`);
              return this.raw(count);
            },
          });
          break;
        }
        default:
          throw this.damaged(`unsupported opcode 0x${opcode.toString(16).padStart(2, "0")}`);
      }
    }
  }
}

/**
 * Refuses a value whose lists and dicts (keys included) nest more than MAX_DEPTH deep or contain
 * themselves. One pass without recursion, each container once: its height is 1 + its tallest
 * child's, found after its children (so sharing through the memo cannot hide a deep chain).
 */
function checkNesting(root: unknown, offset: number): void {
  const isContainer = (value: unknown): value is unknown[] | Map<unknown, unknown> => Array.isArray(value) || value instanceof Map;
  if (!isContainer(root)) return;
  /** Finished containers' heights; an entry of -1 is a container still being walked. */
  const height = new Map<object, number>();
  const children = (value: unknown[] | Map<unknown, unknown>): Iterator<unknown> =>
    Array.isArray(value) ? value[Symbol.iterator]() : (function* () {
      for (const [key, item] of value) {
        yield key;
        yield item;
      }
    })();
  const frames: { node: object; children: Iterator<unknown>; tallest: number }[] = [];
  const enter = (node: unknown[] | Map<unknown, unknown>): void => {
    if (frames.length >= MAX_DEPTH) throw new PickleError(`containers nested more than ${MAX_DEPTH} deep`, offset, false);
    height.set(node, -1);
    frames.push({ node, children: children(node), tallest: 0 });
  };
  enter(root);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const next = frame.children.next();
    if (next.done) {
      frames.pop();
      height.set(frame.node, frame.tallest + 1);
      if (frames.length > 0) frames[frames.length - 1]!.tallest = Math.max(frames[frames.length - 1]!.tallest, frame.tallest + 1);
      continue;
    }
    const child = next.value;
    if (!isContainer(child)) continue;
    const known = height.get(child);
    if (known === -1) throw new PickleError("a list or dict that contains itself", offset, false);
    if (known === undefined) enter(child);
    else if (frames.length + known > MAX_DEPTH) throw new PickleError(`containers nested more than ${MAX_DEPTH} deep`, offset, false);
    else frame.tallest = Math.max(frame.tallest, known);
  }
}
