/**
 * Options of the model hub (names → cached released files → cached batched graphs), and their
 * resolution against the environment. Explicit options always win over environment variables.
 */
import { InvalidInputError } from "../errors.js";
import { defaultCacheDir } from "./cacheDir.js";

export interface DownloadOptions {
  /** Failed attempts retried before giving up (network errors, stalls, HTTP 5xx/408/429). Default 5. */
  retries?: number;
  /** Delay before the first retry; doubles with every further one. Default 1000 ms. */
  retryDelayMs?: number;
  /** Upper bound of the retry delay. Default 30000 ms. */
  maxRetryDelayMs?: number;
  /** An attempt with no bytes received for this long is abandoned (and retried). Default 60000 ms. */
  stallTimeoutMs?: number;
  /** How often a process waiting for another one's download looks again. Default 1000 ms. */
  lockPollMs?: number;
  /** Progress on stderr (a bar on a terminal, a line every few seconds otherwise). Default true. */
  progress?: boolean;
}

export interface HubOptions {
  /** Cache directory. Default: $S3TOKENIZER_CACHE, else $XDG_CACHE_HOME/s3tokenizer, else ~/.cache/s3tokenizer. */
  cacheDir?: string;
  /** A JSON registry file whose entries `{ "name": { "url", "sha256" } }` add to or override the built-in ones. Default: $S3TOKENIZER_REGISTRY. */
  registry?: string;
  /** Replaces https://www.modelscope.cn in the built-in URLs (a mirror). Default: $S3TOKENIZER_ENDPOINT. */
  endpoint?: string;
  /** Never use the network: models come from the cache only. Default: $S3TOKENIZER_OFFLINE=1. */
  offline?: boolean;
  /**
   * Reuse the batched graph built from a released file on an earlier start (default true).
   * false: build it every time, cache nothing. "refresh": rebuild it and replace the cached copy.
   */
  convertedCache?: boolean | "refresh";
  download?: DownloadOptions;
}

export interface HubSettings {
  cacheDir: string;
  registryFile: string | undefined;
  endpoint: string | undefined;
  offline: boolean;
  convertedCache: boolean | "refresh";
  download: Required<DownloadOptions>;
}

const DOWNLOAD_DEFAULTS: Required<DownloadOptions> = {
  retries: 5,
  retryDelayMs: 1000,
  maxRetryDelayMs: 30_000,
  stallTimeoutMs: 60_000,
  lockPollMs: 1000,
  progress: true,
};

/** "1", "true", "yes", "on" (any case) are true; anything else, or unset, is false. */
function envFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function checkDownloadOptions(options: Required<DownloadOptions>): void {
  for (const key of ["retries", "retryDelayMs", "maxRetryDelayMs", "stallTimeoutMs", "lockPollMs"] as const) {
    const value = options[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidInputError(`download.${key} must be a non-negative number, got ${String(value)}`);
    }
  }
  if (!Number.isInteger(options.retries)) throw new InvalidInputError(`download.retries must be an integer, got ${options.retries}`);
}

/** The effective settings: options first, then the environment, then the defaults. */
export function hubSettings(options: HubOptions = {}, env: NodeJS.ProcessEnv = process.env): HubSettings {
  const download = { ...DOWNLOAD_DEFAULTS };
  for (const [key, value] of Object.entries(options.download ?? {})) {
    // An explicit undefined means "the default", as for every other option.
    if (value !== undefined) (download as Record<string, unknown>)[key] = value;
  }
  checkDownloadOptions(download);
  return {
    cacheDir: defaultCacheDir(options.cacheDir, env),
    registryFile: nonEmpty(options.registry) ?? nonEmpty(env["S3TOKENIZER_REGISTRY"]),
    endpoint: nonEmpty(options.endpoint) ?? nonEmpty(env["S3TOKENIZER_ENDPOINT"]),
    offline: options.offline ?? envFlag(env["S3TOKENIZER_OFFLINE"]),
    convertedCache: options.convertedCache ?? true,
    download,
  };
}
