/**
 * Bearer-token authentication. The token comes from a file (never the command line, where `ps`
 * would show it to every user of the machine). Both sides are hashed with SHA-256 before the
 * constant-time comparison: timingSafeEqual needs equal lengths, and comparing digests keeps the
 * token's length from leaking through an early length check.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { UsageError } from "../errors.js";

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

export class BearerAuth {
  private readonly expected: Buffer;

  constructor(token: string) {
    if (token === "") throw new UsageError("the bearer token is empty");
    this.expected = digest(token);
  }

  /** The token in `path`: its content without surrounding whitespace (editors add a newline). */
  static fromFile(path: string): BearerAuth {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new UsageError(`--token_file ${path}: cannot read it: ${error instanceof Error ? error.message : String(error)}`);
    }
    const token = text.trim();
    if (token === "") throw new UsageError(`--token_file ${path} is empty`);
    if (/\s/.test(token)) throw new UsageError(`--token_file ${path}: the token must be one word (no spaces or line breaks)`);
    return new BearerAuth(token);
  }

  /** True when the Authorization header carries this token. */
  check(header: string | undefined): boolean {
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    if (match === null) return false;
    return timingSafeEqual(digest(match[1]!), this.expected);
  }
}
