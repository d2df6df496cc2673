/**
 * One writer per part file: two processes given the same output directory and rank would both
 * append every key. The part is locked with proper-lockfile (`PART.lock`, refreshed while held,
 * taken over once stale after a crash) and the holder is named in `PART.holder`, so the second
 * process can say who it is.
 */
import { hostname } from "node:os";
import { readFileSync, rmSync } from "node:fs";
import lockfile from "proper-lockfile";
import { OutputError } from "../errors.js";
import { writeOutputFileSync } from "../hub/atomicWrite.js";

const STALE_MS = 20_000;

interface Holder {
  pid: number;
  host: string;
  since: string;
}

function readHolder(part: string): Holder | null {
  try {
    return JSON.parse(readFileSync(`${part}.holder`, "utf8")) as Holder;
  } catch {
    return null;
  }
}

/** A holder on this machine whose process is gone (killed with SIGKILL, say): its lock is void. */
function holderIsDead(holder: Holder | null): boolean {
  if (holder === null || holder.host !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code === "ESRCH";
  }
}

function tryLock(part: string): Promise<() => Promise<void>> {
  return lockfile.lock(part, { realpath: false, stale: STALE_MS, retries: 0 });
}

/** Locks `part` for this process; the returned function releases it. Throws OutputError when held. */
export async function lockPart(part: string): Promise<() => Promise<void>> {
  let release: () => Promise<void>;
  try {
    try {
      release = await tryLock(part);
    } catch (error) {
      // A dead holder's lock would otherwise block a resume until it goes stale.
      if ((error as { code?: unknown }).code !== "ELOCKED" || !holderIsDead(readHolder(part))) throw error;
      rmSync(`${part}.lock`, { recursive: true, force: true });
      release = await tryLock(part);
    }
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ELOCKED") {
      throw new OutputError(part, `cannot lock the part file: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const holder = readHolder(part);
    const who = holder === null ? "another process" : `process ${holder.pid} on ${holder.host} (since ${holder.since})`;
    throw new OutputError(part, `is being written by ${who}; wait for it to finish or stop it (two writers would write every key twice)`);
  }
  try {
    writeOutputFileSync(`${part}.holder`, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }) + "\n");
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
  return async () => {
    rmSync(`${part}.holder`, { force: true });
    await release().catch(() => undefined);
  };
}
