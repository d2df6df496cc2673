/**
 * Tokenizers in a page: a registry name, file name → URL, or files the user picked → the files'
 * bytes (modelStore.ts) → the family's loader from contents (the same code Node's loaders call
 * after reading the files) on onnxruntime-web.
 */
import { parseCheckpoint } from "../checkpoint/parseCheckpoint.js";
import { InvalidInputError, UnknownModelError, UnrecognizedModelError } from "../errors.js";
import type { FamilyLoadOptions, FamilyName, ModelFileSpec, SpeechTokenizerModel } from "../family/types.js";
import { builtInEntries, familyEntries, type ModelEntry } from "../hub/registry.js";
import { S3BatchedTokenizer } from "../models/s3/batchedTokenizer.js";
import type { ModelMode } from "../models/s3/releasedGraph.js";
import { FUNCODEC_CHECKPOINT, FUNCODEC_CONFIG, openFunCodec } from "../models/funcodec/open.js";
import { openRepCodecParts, REPCODEC_RELEASES } from "../models/repcodec/open.js";
import { RepCodecWhisperModel } from "../models/repcodec/whisperModel.js";
import { checkpointName, openSpeechTokenizer, SPEECHTOKENIZER_CONFIG, SPEECHTOKENIZER_MODELS } from "../models/speechtokenizer/open.js";
import { entryFiles, fetchModelFiles, takeFile, type FetchModelOptions, type ModelBytes, type WebFileSpec } from "./modelStore.js";
import { configuredDevice, requireWebDevice, webBackend, type WebDevice } from "./runtime.js";

/** The families a page loads (RepCodec from picked or linked files only: its checkpoints are on Google Drive). */
export const WEB_FAMILIES: readonly FamilyName[] = ["s3", "speechtokenizer", "funcodec", "repcodec"];

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

export interface WebLoadOptions extends FetchModelOptions {
  /** "wasm" or "webgpu" (default: configureRuntime's, else "wasm"). */
  device?: WebDevice;
  /** A mirror replacing the ModelScope origin of the S3 releases' URLs (as the hub's endpoint). */
  endpoint?: string;
  /** S3's "exact" (default) or "fast" (int8 products); RepCodec's Whisper encoder takes it too. */
  mode?: ModelMode;
  /** RepCodec: the 1-based Whisper block it was trained on (default: the release's for medium.pt / large-v2.pt, else the last). */
  layer?: number;
}

const S3_DESCRIPTION: Readonly<Record<string, string>> = {
  speech_tokenizer_v1: "S3Tokenizer v1 (CosyVoice 300M), 50 Hz",
  speech_tokenizer_v1_25hz: "S3Tokenizer v1 (CosyVoice 300M 25 Hz), 25 Hz",
  speech_tokenizer_v2_25hz: "S3Tokenizer v2 (CosyVoice 2), 25 Hz",
  speech_tokenizer_v3_25hz: "S3Tokenizer v3 (Fun-CosyVoice 3), 25 Hz",
};

/** Registry entries a page can load by name: the S3 releases and the families' pinned models. */
function webEntries(endpoint?: string): ModelEntry[] {
  return [...builtInEntries(endpoint), ...familyEntries(SPEECHTOKENIZER_MODELS.map((model) => ({ ...model, family: "speechtokenizer" })))];
}

function sizeOf(files: readonly ModelFileSpec[]): number | null {
  return files.every((f) => f.size !== undefined) ? files.reduce((sum, f) => sum + f.size!, 0) : null;
}

/** The models a page loads by name. */
export function listWebModels(options: { endpoint?: string } = {}): WebModelInfo[] {
  return webEntries(options.endpoint).map((entry) => {
    // The downloads (a file the entry carries as text is not one).
    const files = entryFiles(entry).filter((spec) => spec.url !== undefined) as ModelFileSpec[];
    const family = (entry.family ?? "s3") as FamilyName;
    const description = family === "s3" ? S3_DESCRIPTION[entry.name] ?? entry.name : SPEECHTOKENIZER_MODELS.find((m) => m.name === entry.name)?.description ?? entry.name;
    return { name: entry.name, family, description, size: sizeOf(files), files };
  });
}

/** The family of a set of file names, as each family's detect() tells its files apart. */
function familyOfNames(names: readonly string[], source: string): FamilyName {
  const has = (name: string) => names.includes(name);
  if (names.some((n) => n.toLowerCase().endsWith(".onnx"))) return "s3";
  if (has(SPEECHTOKENIZER_CONFIG) && names.some((n) => n.endsWith(".pt") || n === "ckpt.dev")) return "speechtokenizer";
  if (has(FUNCODEC_CONFIG) && has(FUNCODEC_CHECKPOINT)) return "funcodec";
  if (names.some((n) => n.endsWith(".pkl")) && names.some((n) => n.endsWith(".pt"))) return "repcodec";
  throw new UnrecognizedModelError(source, [...WEB_FAMILIES]);
}

/** The specs and family of a source, or a typed error naming it. */
function resolveSource(source: WebModelSource, options: WebLoadOptions): { label: string; family: FamilyName; specs: WebFileSpec[] } {
  if ("name" in source) {
    const entry = webEntries(options.endpoint).find((e) => e.name === source.name);
    if (!entry) throw new UnknownModelError(source.name, webEntries(options.endpoint).map((e) => e.name));
    return { label: source.name, family: (entry.family ?? "s3") as FamilyName, specs: entryFiles(entry) };
  }
  const sha256 = source.sha256 ?? {};
  const withSha = (spec: WebFileSpec): WebFileSpec => (sha256[spec.file] === undefined ? spec : { ...spec, sha256: sha256[spec.file]! });
  const specs: WebFileSpec[] =
    "urls" in source
      ? Object.entries(source.urls).map(([file, url]) => withSha({ file, url }))
      : source.files.map((file) => withSha({ file: file.name, blob: file, size: file.size }));
  if (specs.length === 0) throw new InvalidInputError("the model source lists no files");
  const label = "urls" in source ? Object.values(source.urls)[0]! : specs.map((s) => s.file).join(" + ");
  return { label, family: source.family ?? familyOfNames(specs.map((s) => s.file), label), specs };
}

const utf8 = new TextDecoder();

/** Each family's loader from file contents, on onnxruntime-web; `settings` holds the device and the mode asked for. */
const WEB_LOADERS: Partial<Record<FamilyName, (files: ModelBytes, source: string, settings: FamilyLoadOptions, options: WebLoadOptions) => Promise<SpeechTokenizerModel>>> = {
  s3: (files, source, settings) => {
    const onnx = [...files.keys()].filter((name) => name.toLowerCase().endsWith(".onnx"));
    if (onnx.length !== 1) throw new InvalidInputError(`${source}: an S3 model is one .onnx file, got ${onnx.length} (${[...files.keys()].join(", ")})`);
    // One stream: a second session would hold a second copy of the weights in the tab.
    return S3BatchedTokenizer.openReleasedBytes(() => takeFile(files, onnx[0]!, source), source, webBackend, { ...settings, streams: 1 });
  },
  speechtokenizer: async (files, source, settings) => {
    const config = utf8.decode(takeFile(files, SPEECHTOKENIZER_CONFIG, source));
    const name = [...files.keys()].find((n) => n !== SPEECHTOKENIZER_CONFIG && (n.endsWith(".pt") || n === "ckpt.dev")) ?? checkpointName([...files.keys()], source);
    const checkpoint = await parseCheckpoint(takeFile(files, name, source), name);
    return openSpeechTokenizer(config, SPEECHTOKENIZER_CONFIG, checkpoint, source, settings, webBackend);
  },
  funcodec: async (files, source, settings) => {
    const config = utf8.decode(takeFile(files, FUNCODEC_CONFIG, source));
    const checkpoint = await parseCheckpoint(takeFile(files, FUNCODEC_CHECKPOINT, source), FUNCODEC_CHECKPOINT);
    return openFunCodec(config, FUNCODEC_CONFIG, checkpoint, source, settings, webBackend);
  },
  repcodec: async (files, source, settings, options) => {
    const names = [...files.keys()];
    const pkl = names.filter((n) => n.endsWith(".pkl"));
    const pt = names.filter((n) => n.endsWith(".pt"));
    if (pkl.length !== 1 || pt.length !== 1) throw new InvalidInputError(`${source}: a RepCodec model is one RepCodec .pkl and one Whisper .pt, got ${names.join(", ")}`);
    const layer = options.layer ?? REPCODEC_RELEASES.find((r) => r.whisper.file === pt[0])?.layer;
    const repcodec = await parseCheckpoint(takeFile(files, pkl[0]!, source), pkl[0]!);
    const whisper = await parseCheckpoint(takeFile(files, pt[0]!, source), pt[0]!);
    const parts = await openRepCodecParts(repcodec, whisper, layer, settings, webBackend);
    return RepCodecWhisperModel.fromParts(parts, { "repcodec.pkl": pkl[0]!, "whisper.pt": pt[0]! }, source);
  },
};

/**
 * A tokenizer in the page: its files fetched (or read from the picked files), verified, kept,
 * then built and opened on onnxruntime-web. Typed errors: UnknownModelError (no such name),
 * UnrecognizedModelError (files of no family), DownloadError, ChecksumMismatchError,
 * DeviceUnavailableError (WebGPU asked for without an adapter), the families' model errors.
 */
export async function loadWebModel(source: WebModelSource, options: WebLoadOptions = {}): Promise<SpeechTokenizerModel> {
  const { label, family, specs } = resolveSource(source, options);
  const load = WEB_LOADERS[family];
  if (!load) throw new InvalidInputError(`${label}: ${family} models do not load in the browser yet (families there: ${WEB_FAMILIES.join(", ")})`);
  const device = options.device ?? configuredDevice();
  await requireWebDevice(device);
  const files = await fetchModelFiles(specs, options);
  options.signal?.throwIfAborted();
  return load(files, label, { device: device === "webgpu" ? "webgpu" : "cpu", ...(options.mode ? { mode: options.mode } : {}) }, options);
}
