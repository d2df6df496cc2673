/**
 * Limits on how slowly a request body may arrive. Without them a client sending 10 bytes a second
 * holds its connection (and whatever it has sent) for as long as it likes, and a few hundred such
 * clients hold a server. Two limits: no byte for `idleMs` (a stalled body), and fewer than
 * `minBytesPerSecond` on average once `graceMs` has passed (a crawling body).
 */
import { InvalidInputError } from "../errors.js";

export interface BodyPace {
  /** Longest gap between two pieces of the body. */
  idleMs: number;
  /** Slowest average rate accepted once `graceMs` has passed since the body started. */
  minBytesPerSecond: number;
  graceMs: number;
}

export const DEFAULT_BODY_PACE: BodyPace = { idleMs: 10_000, minBytesPerSecond: 16 * 1024, graceMs: 5_000 };

/** A body that stalled or crawled; answered 408 and the connection closed. */
export class BodyTooSlowError extends InvalidInputError {
  constructor(problem: string) {
    super(`the request body arrived too slowly: ${problem}`);
  }
}

/** Watches one body: call `data(n)` per piece, `stop()` when done; `onSlow` fires at most once. */
export function watchPace(pace: BodyPace, onSlow: (error: BodyTooSlowError) => void): { data(bytes: number): void; stop(): void } {
  const started = performance.now();
  let received = 0;
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => onSlow(new BodyTooSlowError(`nothing for ${pace.idleMs} ms`)), pace.idleMs);
  };
  // The average is checked every second after the grace period, as well as on each piece.
  const rateCheck = () => {
    const seconds = (performance.now() - started) / 1000;
    if (seconds * 1000 >= pace.graceMs && received / seconds < pace.minBytesPerSecond) {
      onSlow(new BodyTooSlowError(`${Math.round(received / seconds)} bytes/s on average, at least ${pace.minBytesPerSecond} are required`));
    }
  };
  const ticker = setInterval(rateCheck, Math.min(1000, Math.max(50, pace.graceMs)));
  armIdle();
  return {
    data(bytes) {
      received += bytes;
      armIdle();
    },
    stop() {
      clearTimeout(idle);
      clearInterval(ticker);
    },
  };
}
