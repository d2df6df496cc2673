/**
 * The model registry: the four released S3 tokenizers, the models the families offer (given by
 * the caller, so the hub knows no family), plus the entries of an optional JSON registry file
 * that add or override names: `{ "name": { "url": "...", "sha256": "..." } }` for a single file,
 * or `{ "name": { "files": [{ "file", "url", "sha256" }], "family": "speechtokenizer" } }` for a
 * model of several files. A mirror endpoint replaces the ModelScope origin of the built-in URLs.
 */
import { InvalidInputError, RegistryError } from "../errors.js";

/** One file of a registry entry. */
export interface ModelFileSpec {
  /** File name inside the model's cache folder (e.g. "config.json"). */
  file: string;
  url: string;
  /** Lowercase hex. */
  sha256: string;
  /** Bytes, when known (for progress and a quick check before hashing). */
  size?: number;
}

export interface ModelEntry {
  name: string;
  /** The file's URL (a multi-file entry: its first file's). */
  url: string;
  /** Lowercase hex (a multi-file entry: its first file's). */
  sha256: string;
  /** "built-in", "family", or the registry file the entry came from. */
  origin: string;
  /** A model of several files, cached as `<cache>/<name>/<file>`; absent for a single .onnx file. */
  files?: readonly ModelFileSpec[];
  /** The family that loads it (absent: "s3", the single-file entries'). */
  family?: string;
  /** A multi-file entry's files carried as text (file name → text), written beside the downloaded ones. */
  carried?: Readonly<Record<string, string>>;
  /** One line saying what the model is, where known. */
  description?: string;
}

/** The key of a single-file entry's file in a model's ModelFiles (file name → path). */
export const SINGLE_FILE_NAME = "model.onnx";

/** The origin of the built-in URLs, replaced by an endpoint override. */
export const DEFAULT_ENDPOINT = "https://www.modelscope.cn";

const BUILT_IN: readonly Omit<ModelEntry, "origin">[] = [
  {
    name: "speech_tokenizer_v1",
    description: "S3Tokenizer v1 (CosyVoice 300M), 50 Hz",
    url: `${DEFAULT_ENDPOINT}/models/iic/cosyvoice-300m/resolve/master/speech_tokenizer_v1.onnx`,
    sha256: "23b5a723ed9143aebfd9ffda14ac4c21231f31c35ef837b6a13bb9e5488abb1e",
  },
  {
    name: "speech_tokenizer_v1_25hz",
    description: "S3Tokenizer v1 (CosyVoice 300M 25 Hz), 25 Hz",
    url: `${DEFAULT_ENDPOINT}/models/iic/CosyVoice-300M-25Hz/resolve/master/speech_tokenizer_v1.onnx`,
    sha256: "56285ddd4a83e883ee0cb9f8d69c1089b53a94b1f78ff7e4a0224a27eb4cb486",
  },
  {
    name: "speech_tokenizer_v2_25hz",
    description: "S3Tokenizer v2 (CosyVoice 2), 25 Hz",
    url: `${DEFAULT_ENDPOINT}/models/iic/CosyVoice2-0.5B/resolve/master/speech_tokenizer_v2.onnx`,
    sha256: "d43342aa12163a80bf07bffb94c9de2e120a8df2f9917cd2f642e7f4219c6f71",
  },
  {
    name: "speech_tokenizer_v3_25hz",
    description: "S3Tokenizer v3 (Fun-CosyVoice 3), 25 Hz",
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
    const { files, family, carried } = value as { files?: unknown; family?: unknown; carried?: unknown };
    if (files === undefined) return { name, ...checkSource(value, file, name), origin: file };
    if (!Array.isArray(files) || files.length === 0) {
      throw new RegistryError(file, name, `"files" must be a non-empty array of { "file", "url", "sha256" }`);
    }
    if (family !== undefined && (typeof family !== "string" || family === "")) {
      throw new RegistryError(file, name, `"family" must be a family name, got ${JSON.stringify(family)}`);
    }
    const specs = files.map((spec: unknown, i): ModelFileSpec => checkFileSpec(spec, file, `${name}.files[${i}]`));
    const names = new Set(specs.map((spec) => spec.file));
    if (names.size !== specs.length) throw new RegistryError(file, name, `"files" names a file twice`);
    const entry: ModelEntry = { name, url: specs[0]!.url, sha256: specs[0]!.sha256, origin: file, files: specs };
    if (family !== undefined) entry.family = family as string;
    if (carried !== undefined) entry.carried = checkCarried(carried, names, file, name);
    return entry;
  });
}

/** A carried file's text is a config's, not a checkpoint's: past this it is not one. */
const MAX_CARRIED_CHARS = 1 << 20;

/** `"carried": { "file": "text", ... }` of a multi-file entry, checked: plain file names not among `files`, texts. */
function checkCarried(carried: unknown, downloaded: ReadonlySet<string>, file: string, name: string): Record<string, string> {
  if (typeof carried !== "object" || carried === null || Array.isArray(carried)) {
    throw new RegistryError(file, name, `"carried" must be an object { "file name": "its text" }`);
  }
  for (const [carriedName, text] of Object.entries(carried)) {
    if (!NAME.test(carriedName) || carriedName.includes("..")) {
      throw new RegistryError(file, `${name}.carried`, `a file name is letters, digits, '.', '_', '-', got ${JSON.stringify(carriedName)}`);
    }
    if (downloaded.has(carriedName)) throw new RegistryError(file, `${name}.carried`, `"${carriedName}" is also among "files"`);
    if (typeof text !== "string" || text.length > MAX_CARRIED_CHARS) {
      throw new RegistryError(file, `${name}.carried.${carriedName}`, `must be the file's text (a string of at most ${MAX_CARRIED_CHARS} characters)`);
    }
  }
  return { ...(carried as Record<string, string>) };
}

/** The url and sha256 of a registry value, checked. */
function checkSource(value: object, file: string, name: string): { url: string; sha256: string } {
  const { url, sha256 } = value as { url?: unknown; sha256?: unknown };
  if (typeof url !== "string" || !isHttpUrl(url)) {
    throw new RegistryError(file, name, `"url" must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (typeof sha256 !== "string" || !SHA256.test(sha256)) {
    throw new RegistryError(file, name, `"sha256" must be 64 hex digits, got ${JSON.stringify(sha256)}`);
  }
  return { url, sha256: sha256.toLowerCase() };
}

/** One `{ "file", "url", "sha256", "size"? }` of a multi-file entry, checked. */
function checkFileSpec(spec: unknown, file: string, where: string): ModelFileSpec {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new RegistryError(file, where, 'expected an object { "file": ..., "url": ..., "sha256": ... }');
  }
  const { file: name, size } = spec as { file?: unknown; size?: unknown };
  // The file name becomes a path inside the model's cache folder: no separators, no "..".
  if (typeof name !== "string" || !NAME.test(name) || name.includes("..")) {
    throw new RegistryError(file, where, `"file" must be a plain file name (letters, digits, '.', '_', '-'), got ${JSON.stringify(name)}`);
  }
  if (size !== undefined && (!Number.isSafeInteger(size) || (size as number) < 0)) {
    throw new RegistryError(file, where, `"size" must be a byte count, got ${JSON.stringify(size)}`);
  }
  const checked: ModelFileSpec = { file: name, ...checkSource(spec, file, where) };
  if (size !== undefined) checked.size = size as number;
  return checked;
}

/** Registry entries for models a family offers by name (the hub itself knows no family). */
export function familyEntries(
  models: readonly { name: string; family: string; files: readonly ModelFileSpec[]; carried?: Readonly<Record<string, string>>; description?: string }[],
): ModelEntry[] {
  return models.map((model) => ({
    name: model.name,
    ...(model.description === undefined ? {} : { description: model.description }),
    url: model.files[0]!.url,
    sha256: model.files[0]!.sha256,
    origin: "family",
    files: model.files,
    family: model.family,
    ...(model.carried === undefined ? {} : { carried: model.carried }),
  }));
}
