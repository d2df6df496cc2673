/**
 * Network failures that another attempt cannot fix: a host name that does not resolve (or no DNS
 * at all, as on a machine without network), a refused or unreachable host, a certificate that does
 * not verify. Retrying them with backoff only made an offline machine wait half a minute for the
 * same answer; they fail at once, with what to do instead.
 */

const CODES: Record<string, string> = {
  ENOTFOUND: "the host name does not resolve",
  EAI_NONAME: "the host name does not resolve",
  EAI_FAIL: "the host name does not resolve",
  EAI_AGAIN: "no DNS answer (no network?)",
  ECONNREFUSED: "the connection was refused",
  ENETUNREACH: "the network is unreachable",
  EHOSTUNREACH: "the host is unreachable",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chain is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate cannot be verified",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate cannot be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate is for another host",
};

export const NETWORK_HINT =
  "without network, put the model in the cache and use --offline (S3TOKENIZER_OFFLINE=1); " +
  "behind a firewall, use --endpoint URL (S3TOKENIZER_ENDPOINT) for a reachable mirror";

/** The system error code of a fetch failure (undici keeps it in `cause`, sometimes one level deeper). */
function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === "object" && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code in CODES) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Why retrying `error` is pointless, with the hint; null when it may succeed on another attempt. */
export function unrecoverableNetworkError(error: unknown): string | null {
  const code = codeOf(error);
  return code === undefined ? null : `${CODES[code]} (${code}); ${NETWORK_HINT}`;
}
