/**
 * The model registry: the four released tokenizers, plus the entries of an optional JSON
 * registry file `{ "name": { "url": "...", "sha256": "..." } }` that add or override names.
 * A mirror endpoint replaces the ModelScope origin of the built-in URLs.
 */
import { readFile } from "node:fs/promises";
import { InvalidInputError, RegistryError } from "../errors.js";

export interface ModelEntry {
  name: string;
  url: string;
  /** Lowercase hex. */
  sha256: string;
  /** "built-in", or the registry file the entry came from. */
  origin: string;
}

/** The origin of the built-in URLs, replaced by an endpoint override. */
export const DEFAULT_ENDPOINT = "https://www.modelscope.cn";

const BUILT_IN: readonly Omit<ModelEntry, "origin">[] = [
  {
    name: "speech_tokenizer_v1",
    url: `${DEFAULT_ENDPOINT}/models/iic/cosyvoice-300m/resolve/master/speech_tokenizer_v1.onnx`,
    sha256: "23b5a723ed9143aebfd9ffda14ac4c21231f31c35ef837b6a13bb9e5488abb1e",
  },
  {
    name: "speech_tokenizer_v1_25hz",
    url: `${DEFAULT_ENDPOINT}/models/iic/CosyVoice-300M-25Hz/resolve/master/speech_tokenizer_v1.onnx`,
    sha256: "56285ddd4a83e883ee0cb9f8d69c1089b53a94b1f78ff7e4a0224a27eb4cb486",
  },
  {
    name: "speech_tokenizer_v2_25hz",
    url: `${DEFAULT_ENDPOINT}/models/iic/CosyVoice2-0.5B/resolve/master/speech_tokenizer_v2.onnx`,
    sha256: "d43342aa12163a80bf07bffb94c9de2e120a8df2f9917cd2f642e7f4219c6f71",
  },
  {
    name: "speech_tokenizer_v3_25hz",
    url: `${DEFAULT_ENDPOINT}/models/FunAudioLLM/Fun-CosyVoice3-0.5B-2512/resolve/master/speech_tokenizer_v3.onnx`,
    sha256: "23236a74175dbdda47afc66dbadd5bcb41303c467a57c261cb8539ad9db9208d",
  },
];

/** The names of the released tokenizers. */
export const BUILT_IN_NAMES: readonly string[] = BUILT_IN.map((entry) => entry.name);

// Names become cache file names, and a name must not look like a path (see resolve.ts).
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Built-in URLs with the ModelScope origin replaced by `endpoint`. */
export function builtInEntries(endpoint?: string): ModelEntry[] {
  let origin = DEFAULT_ENDPOINT;
  if (endpoint !== undefined) {
    if (!isHttpUrl(endpoint)) throw new InvalidInputError(`endpoint "${endpoint}" is not an http(s) URL`);
    origin = endpoint.replace(/\/+$/, "");
  }
  return BUILT_IN.map((entry) => ({
    ...entry,
    url: origin + entry.url.slice(DEFAULT_ENDPOINT.length),
    origin: "built-in",
  }));
}

/** Validates the text of a registry file; `file` names it in errors. */
export function parseRegistry(text: string, file: string): ModelEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RegistryError(file, undefined, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new RegistryError(file, undefined, 'expected a JSON object { "name": { "url": ..., "sha256": ... } }');
  }
  return Object.entries(parsed).map(([name, value]): ModelEntry => {
    if (!NAME.test(name) || name.endsWith(".onnx")) {
      throw new RegistryError(file, name, "a name is letters, digits, '.', '_', '-' (no path separators, not ending in .onnx)");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new RegistryError(file, name, 'expected an object { "url": ..., "sha256": ... }');
    }
    const { url, sha256 } = value as { url?: unknown; sha256?: unknown };
    if (typeof url !== "string" || !isHttpUrl(url)) {
      throw new RegistryError(file, name, `"url" must be an http(s) URL, got ${JSON.stringify(url)}`);
    }
    if (typeof sha256 !== "string" || !SHA256.test(sha256)) {
      throw new RegistryError(file, name, `"sha256" must be 64 hex digits, got ${JSON.stringify(sha256)}`);
    }
    return { name, url, sha256: sha256.toLowerCase(), origin: file };
  });
}

export async function readRegistryFile(file: string): Promise<ModelEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new RegistryError(file, undefined, `cannot read it: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseRegistry(text, file);
}

/** Built-in entries (endpoint applied), then the registry file's, which win on equal names. */
export async function loadRegistry(settings: { registryFile?: string | undefined; endpoint?: string | undefined }): Promise<Map<string, ModelEntry>> {
  const entries = builtInEntries(settings.endpoint);
  if (settings.registryFile !== undefined) entries.push(...(await readRegistryFile(settings.registryFile)));
  return new Map(entries.map((entry) => [entry.name, entry]));
}
