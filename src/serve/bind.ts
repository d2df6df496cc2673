/**
 * Where the service may listen. Without a token anyone who can reach the port can use the model,
 * so only loopback addresses are allowed unless a token is set or the operator says --insecure.
 * A host name other than "localhost" counts as non-loopback: what it resolves to can change.
 */
import { isIP } from "node:net";
import { UsageError } from "../errors.js";

export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) {
    const lower = bare.toLowerCase();
    return lower === "::1" || lower === "0:0:0:0:0:0:0:1" || lower.startsWith("::ffff:127.");
  }
  return false;
}

/** Throws UsageError (exit code 2) for a non-loopback address with neither a token nor --insecure. */
export function checkBindSafety(host: string, hasToken: boolean, insecure: boolean): void {
  if (isLoopback(host) || hasToken || insecure) return;
  throw new UsageError(
    `refusing to listen on ${host} without authentication: anyone who can reach it could use the service. ` +
      "Pass --token_file FILE (clients then send Authorization: Bearer <token>), or --insecure to allow it anyway",
  );
}
