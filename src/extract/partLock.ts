/**
 * One writer per part file: two processes given the same output directory and rank would both
 * append every key. The part is locked with proper-lockfile (`PART.lock`, refreshed while held,
 * taken over once stale after a crash) and the holder is named in `PART.holder`, so the second
 * process can say who it is.
 */
import { hostname } from "node:os";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import lockfile from "proper-lockfile";
import { OutputError } from "../errors.js";

const STALE_MS = 20_000;

function holderOf(part: string): string {
  try {
    const { pid, host, since } = JSON.parse(readFileSync(`${part}.holder`, "utf8")) as { pid: number; host: string; since: string };
    return `process ${pid} on ${host} (since ${since})`;
  } catch {
    return "another process";
  }
}

/** Locks `part` for this process; the returned function releases it. Throws OutputError when held. */
export async function lockPart(part: string): Promise<() => Promise<void>> {
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(part, { realpath: false, stale: STALE_MS, retries: 0 });
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ELOCKED") {
      throw new OutputError(part, `cannot lock the part file: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    throw new OutputError(part, `is being written by ${holderOf(part)}; wait for it to finish or stop it (two writers would write every key twice)`);
  }
  writeFileSync(`${part}.holder`, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }) + "\n");
  return async () => {
    rmSync(`${part}.holder`, { force: true });
    await release().catch(() => undefined);
  };
}
