/**
 * One process at a time per cache file, across the processes of one machine (the ranks of a
 * distributed job starting together): proper-lockfile's lock directory `TARGET.lock`, refreshed
 * while held and taken over once stale (its holder died). Others poll until it is free.
 */
import lockfile from "proper-lockfile";

export interface LockOptions {
  /** Time between attempts while another process holds the lock. */
  pollMs: number;
  /** Called once, when the lock is found held by someone else. */
  onWait?: () => void;
}

// proper-lockfile refreshes the lock's mtime every STALE_MS / 2; a lock untouched for STALE_MS is
// taken as abandoned by a dead process.
const STALE_MS = 20_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `work` holding the lock on `target` (which need not exist). `work` gets a signal that
 * aborts if the lock is lost (its refresh failed long enough for another process to take it).
 */
export async function withFileLock<T>(target: string, options: LockOptions, work: (lost: AbortSignal) => Promise<T>): Promise<T> {
  const lost = new AbortController();
  let release: (() => Promise<void>) | undefined;
  let waited = false;
  while (release === undefined) {
    try {
      release = await lockfile.lock(target, {
        realpath: false,
        stale: STALE_MS,
        retries: 0,
        onCompromised: (error) => lost.abort(error),
      });
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ELOCKED") throw error;
      if (!waited) options.onWait?.();
      waited = true;
      await sleep(options.pollMs);
    }
  }
  try {
    return await work(lost.signal);
  } finally {
    // A compromised lock is already gone; releasing it again only reports that.
    await release().catch(() => undefined);
  }
}
