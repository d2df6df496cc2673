/**
 * One load level against the service with autocannon: `connections` clients, each sending its
 * next body as soon as its previous answer arrives, `amount` requests in all. Bodies go round-robin
 * over the set; every answer is checked (200, tokens as expected) and its audio length summed.
 */
import autocannon from "autocannon";

export interface LoadBody {
  bytes: Buffer;
  /** Tokens the answer must hold (from the offline run of the same audio). */
  expected: Int32Array;
  audioSeconds: number;
}

export interface LoadResult {
  connections: number;
  requests: number;
  audioSeconds: number;
  wallSeconds: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers that were not 200, or whose tokens differ in length from the offline ones. */
  failures: number;
  /** Answers by status code ("error" for connection errors and timeouts). */
  statuses: Record<string, number>;
  /** Token positions that differ from the offline tokens, over all answers. */
  misses: number;
  tokens: number;
}

export async function runLoad(url: string, bodies: readonly LoadBody[], connections: number, amount: number): Promise<LoadResult> {
  let next = 0;
  let audioSeconds = 0;
  let failures = 0;
  let misses = 0;
  let tokens = 0;
  const statuses: Record<string, number> = {};
  // Each answer names its audio length; lengths are distinct within the set, so they identify the body.
  const byLength = new Map(bodies.map((b) => [b.audioSeconds, b]));
  const started = performance.now();
  const errorMessages = new Set<string>();
  const options: autocannon.Options = {
    url: `${url}/v1/tokenize`,
    connections,
    amount,
    timeout: 900,
    requests: [
      {
        method: "POST",
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length]!.bytes }),
        onResponse: (status, text) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
          const answer = status === 200 ? (JSON.parse(text) as { code: number[]; audio_s: number }) : null;
          const body = answer === null ? undefined : byLength.get(answer.audio_s);
          if (answer === null || body === undefined || answer.code.length !== body.expected.length) {
            failures++;
            return;
          }
          audioSeconds += answer.audio_s;
          tokens += answer.code.length;
          answer.code.forEach((c, i) => {
            if (c !== body.expected[i]) misses++;
          });
        },
      },
    ],
  };
  // The callback form returns the instance, whose reqError events say why a request failed.
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, finished) => (error ? reject(error) : resolve(finished)));
    instance.on("reqError", (error: unknown) => errorMessages.add(error instanceof Error ? error.message : String(error)));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  failures += result.errors + result.timeouts;
  if (result.errors + result.timeouts > 0) statuses[`error (${[...errorMessages].join("; ") || "no message"})`] = result.errors + result.timeouts;
  return {
    connections,
    requests: result["2xx"],
    audioSeconds,
    wallSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures,
    statuses,
    misses,
    tokens,
  };
}
