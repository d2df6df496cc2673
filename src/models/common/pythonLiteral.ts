/**
 * The Python literals a `.npy` header is written in (numpy writes `repr()` of a dict and reads it
 * back with `ast.literal_eval`): dicts, tuples, lists, strings, ints, True/False/None. Parsed as a
 * grammar rather than searched with patterns, so a key's text inside a string value is never taken
 * for the key. Anything else (floats, calls, names) is refused with the position.
 */

export type PythonValue = string | number | boolean | null | PythonValue[] | PythonTuple | PythonDict;

/** A tuple, told apart from a list (a .npy shape must be a tuple). */
export class PythonTuple {
  constructor(readonly items: PythonValue[]) {}
}

/** A dict with string keys, in the order written. */
export class PythonDict {
  constructor(readonly entries: Map<string, PythonValue>) {}
}

/** Deepest nesting accepted: a .npy header is a dict holding a tuple (2 levels); structured dtypes a few more. */
const MAX_DEPTH = 8;

const CLOSERS: Record<string, string> = { "{": "}", "(": ")", "[": "]" };
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"' };

/** Thrown with what is wrong and where (0-based character offset). */
export class PythonLiteralError extends Error {}

/** The value of `text`, one literal with blanks around it; throws PythonLiteralError. */
export function parsePythonLiteral(text: string): PythonValue {
  const { value, end } = literalAt(text, 0);
  if (end < text.length) throw new PythonLiteralError(`text after the literal at character ${end}`);
  return value;
}

/**
 * A list written as Python list arithmetic, as fairseq writes conv_feature_layers:
 * `[(512,10,5)] + [(512,3,2)] * 4 + [(512,2,2)] * 2`. Terms are list literals, each optionally
 * repeated by `* n` (n a non-negative integer at most `maxRepeat`), joined by `+`. Parsed, never
 * evaluated; anything else is a PythonLiteralError with the position.
 */
export function parsePythonListSum(text: string, maxRepeat = 10_000): PythonValue[] {
  const items: PythonValue[] = [];
  let at = 0;
  for (;;) {
    const term = literalAt(text, at);
    if (!Array.isArray(term.value)) throw new PythonLiteralError(`a term that is not a list at character ${at}`);
    at = skipBlanksFrom(text, term.end);
    let repeat = 1;
    if (text[at] === "*") {
      const count = literalAt(text, at + 1);
      if (typeof count.value !== "number" || count.value < 0 || count.value > maxRepeat) {
        throw new PythonLiteralError(`a repeat count that is not an integer in [0, ${maxRepeat}] at character ${at + 1}`);
      }
      repeat = count.value;
      at = skipBlanksFrom(text, count.end);
    }
    for (let r = 0; r < repeat; r++) items.push(...term.value);
    if (at >= text.length) return items;
    if (text[at] !== "+") throw new PythonLiteralError(`a missing '+' between terms at character ${at}`);
    at++;
  }
}

function skipBlanksFrom(text: string, start: number): number {
  let at = start;
  while (at < text.length && " \t\r\n".includes(text[at]!)) at++;
  return at;
}

/** One literal starting at `start` (after blanks): its value and where the text after it (and the blanks after it) begins. */
function literalAt(text: string, start: number): { value: PythonValue; end: number } {
  let at = start;
  const fail = (problem: string): never => {
    throw new PythonLiteralError(`${problem} at character ${at}`);
  };
  const skipBlanks = () => {
    while (at < text.length && " \t\r\n".includes(text[at]!)) at++;
  };

  const string = (): string => {
    const quote = text[at++]!;
    let value = "";
    while (at < text.length && text[at] !== quote) {
      if (text[at] === "\n") fail("a line break inside a string");
      if (text[at] === "\\") {
        const escaped = ESCAPES[text[at + 1] ?? ""];
        if (escaped === undefined) fail(`an escape \\${text[at + 1] ?? ""} this reader does not take`);
        value += escaped;
        at += 2;
      } else {
        value += text[at++];
      }
    }
    if (at >= text.length) fail("an unterminated string");
    at++;
    return value;
  };

  const integer = (): number => {
    const match = /^-?\d+L?/.exec(text.slice(at, at + 40));
    if (match === null) return fail("not a literal this reader takes (strings, ints, True, False, None, tuples, lists, dicts)");
    const digits = match[0].replace(/L$/, "");
    const value = Number(digits);
    if (!Number.isSafeInteger(value)) fail(`the integer ${digits} is too large`);
    at += match[0].length;
    if (/^[.eEjJ\w]/.test(text[at] ?? "")) fail("not an integer (floats and names are not taken)");
    return value;
  };

  /** Items up to the closer; `pairs` reads `key: value` items (a dict). */
  const items = (closer: string, depth: number, pairs: boolean): { values: PythonValue[]; keys: string[]; trailingComma: boolean } => {
    const values: PythonValue[] = [];
    const keys: string[] = [];
    let trailingComma = false;
    skipBlanks();
    while (text[at] !== closer) {
      if (pairs) {
        if (text[at] !== "'" && text[at] !== '"') fail("a dict key that is not a string");
        const key = string();
        if (keys.includes(key)) fail(`the key '${key}' given twice`);
        keys.push(key);
        skipBlanks();
        if (text[at] !== ":") fail("a missing ':' after a dict key");
        at++;
      }
      values.push(value(depth));
      skipBlanks();
      trailingComma = text[at] === ",";
      if (trailingComma) {
        at++;
        skipBlanks();
      } else if (text[at] !== closer) {
        fail(`a missing ',' or '${closer}'`);
      }
    }
    at++;
    return { values, keys, trailingComma };
  };

  const value = (depth: number): PythonValue => {
    skipBlanks();
    const c = text[at];
    if (c === undefined) return fail("the text ends where a value should be");
    if (c === "'" || c === '"') return string();
    if (c in CLOSERS) {
      if (depth >= MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
      at++;
      const { values, keys, trailingComma } = items(CLOSERS[c]!, depth + 1, c === "{");
      if (c === "{") return new PythonDict(new Map(keys.map((key, i) => [key, values[i]!])));
      if (c === "[") return values;
      // (x) is x, not a tuple; (x,) and () are tuples.
      if (values.length === 1 && !trailingComma) return values[0]!;
      return new PythonTuple(values);
    }
    for (const [word, literal] of [["True", true], ["False", false], ["None", null]] as const) {
      if (text.startsWith(word, at) && !/\w/.test(text[at + word.length] ?? "")) {
        at += word.length;
        return literal;
      }
    }
    return integer();
  };

  const result = value(0);
  skipBlanks();
  return { value: result, end: at };
}
