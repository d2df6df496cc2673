/**
 * Tokenizers in a page: a registry name, file name → URL, or files the user picked → the files'
 * bytes (modelStore.ts) → a model source → the family that detects it (the registry's, the same
 * detect() and open() Node's load() calls) on onnxruntime-web. No family is named here.
 */
import { InvalidInputError, UnknownModelError } from "../errors.js";
import { bytesSource } from "../family/modelSource.js";
import type { FamilyLoadOptions, FamilyName, ModelFileSpec, TokenizerModel, TokenizerFamily } from "../family/types.js";
import { builtInEntries, type ModelEntry } from "../hub/registry.js";
import { detectSourceFamily, entryFamily, familyRegistryEntries } from "../registry/entries.js";
import { FAMILIES, familyNamed } from "../registry/families.js";
import { entryFiles, fetchModelFiles, type FetchModelOptions, type WebFileSpec } from "./modelStore.js";
import { configuredDevice, requireWebDevice, webBackend, type WebDevice } from "./runtime.js";

/** The families a page loads: every registered family. */
export const WEB_FAMILIES: readonly FamilyName[] = FAMILIES.map((family) => family.name);

/** The registered families, for a page's family chooser. */
export function listWebFamilies(): { name: FamilyName; title: string; description: string }[] {
  return FAMILIES.map((family) => ({ name: family.name, title: family.title, description: family.description }));
}

export interface WebModelInfo {
  name: string;
  family: FamilyName;
  description: string;
  /** Bytes to download, when the registry knows every file's size. */
  size: number | null;
  files: readonly ModelFileSpec[];
}

/** Where a page's model comes from. */
export type WebModelSource =
  /** A registry name (listWebModels). */
  | { name: string }
  /** File name (as the family names it: "model.onnx", "config.json", ...) → URL; sha256 per file name when known. */
  | { urls: Readonly<Record<string, string>>; family?: FamilyName; sha256?: Readonly<Record<string, string>> }
  /** Files the user picked; sha256 per file name when known. */
  | { files: readonly File[]; family?: FamilyName; sha256?: Readonly<Record<string, string>> };

export interface WebLoadOptions extends FetchModelOptions, Omit<FamilyLoadOptions, "device" | "cacheDir" | "download" | "offline" | "registryFile" | "endpoint"> {
  /** "wasm" or "webgpu" (default: configureRuntime's, else "wasm"). */
  device?: WebDevice;
  /** A mirror replacing the ModelScope origin of the S3 releases' URLs (as the hub's endpoint). */
  endpoint?: string;
  /** Family options (e.g. RepCodec's `layer`), passed to the family's open() as Node's load() does. */
  [option: string]: unknown;
}

/**
 * Registry entries a page can load by name: the built-in releases and the families' pinned models
 * whose every file a URL serves (none placed by hand).
 */
function webEntries(endpoint?: string): ModelEntry[] {
  const downloadable = FAMILIES.map((family) => ({ ...family, models: family.models.filter((model) => (model.placedByHand ?? []).length === 0) }));
  return [...builtInEntries(endpoint), ...familyRegistryEntries(downloadable)];
}

function sizeOf(files: readonly ModelFileSpec[]): number | null {
  return files.every((f) => f.size !== undefined) ? files.reduce((sum, f) => sum + f.size!, 0) : null;
}

/** The models a page loads by name. */
export function listWebModels(options: { endpoint?: string } = {}): WebModelInfo[] {
  return webEntries(options.endpoint).map((entry) => {
    // The downloads (a file the entry carries as text is not one).
    const files = entryFiles(entry).filter((spec) => spec.url !== undefined) as ModelFileSpec[];
    return { name: entry.name, family: entryFamily(entry).name, description: entry.description ?? entry.name, size: sizeOf(files), files };
  });
}

/** The specs of a source (and its family, where the registry or the caller says it), or a typed error naming it. */
function resolveSource(source: WebModelSource, options: WebLoadOptions): { label: string; family: TokenizerFamily | undefined; specs: WebFileSpec[] } {
  if ("name" in source) {
    const entry = webEntries(options.endpoint).find((e) => e.name === source.name);
    if (!entry) throw new UnknownModelError(source.name, webEntries(options.endpoint).map((e) => e.name));
    return { label: source.name, family: entryFamily(entry), specs: entryFiles(entry) };
  }
  const sha256 = source.sha256 ?? {};
  const withSha = (spec: WebFileSpec): WebFileSpec => (sha256[spec.file] === undefined ? spec : { ...spec, sha256: sha256[spec.file]! });
  const specs: WebFileSpec[] =
    "urls" in source
      ? Object.entries(source.urls).map(([file, url]) => withSha({ file, url }))
      : source.files.map((file) => withSha({ file: file.name, blob: file, size: file.size }));
  if (specs.length === 0) throw new InvalidInputError("the model source lists no files");
  const label = "urls" in source ? Object.values(source.urls)[0]! : specs.map((s) => s.file).join(" + ");
  let family: TokenizerFamily | undefined;
  if (source.family !== undefined) {
    family = familyNamed(source.family);
    if (family === undefined) throw new InvalidInputError(`${label}: no family "${source.family}" (families: ${WEB_FAMILIES.join(", ")})`);
  }
  return { label, family, specs };
}

/** What a page's load options ask of the family (the rest is the page's: fetching, progress, device). */
function familyOptions(options: WebLoadOptions, device: WebDevice): FamilyLoadOptions {
  const { onProgress, signal, cacheStorage, fetch, onStorageError, endpoint, device: _device, ...rest } = options;
  // One stream: a second session would hold a second copy of the weights in the tab.
  return { ...rest, device: device === "webgpu" ? "webgpu" : "cpu", streams: 1 } as FamilyLoadOptions;
}

/**
 * A tokenizer in the page: its files fetched (or read from the picked files), verified, kept,
 * then opened by the family that recognises them, on onnxruntime-web. Typed errors:
 * UnknownModelError (no such name), UnrecognizedModelError (files of no family), DownloadError,
 * ChecksumMismatchError, DeviceUnavailableError (WebGPU asked for without an adapter), the
 * families' model errors.
 */
export async function loadWebModel(source: WebModelSource, options: WebLoadOptions = {}): Promise<TokenizerModel> {
  const { label, family, specs } = resolveSource(source, options);
  const device = options.device ?? configuredDevice();
  await requireWebDevice(device);
  const files = await fetchModelFiles(specs, options);
  options.signal?.throwIfAborted();
  const model = bytesSource(files, label);
  const opener = family ?? (await detectSourceFamily(model));
  return opener.open(model, familyOptions(options, device), { backend: webBackend });
}
