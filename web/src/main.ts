/**
 * The page: choose a model (registry, URLs, or files), add audio (pick, drop, record), see its
 * tokens. Audio is decoded by the project's own decoders and resampler in the core (not the
 * browser's decodeAudioData), so a file gives the same tokens here as in Node. Work runs one item
 * at a time in arrival order; every failure is a message in the page.
 *
 * Query parameters (for links and scripts): ?threads=N (WebAssembly threads), ?device=wasm|webgpu.
 */
import { audioFormatOf, configureRuntime, decodeAudioForModel, listWebFamilies, listWebModels, loadWebModel, SPEECH_16K_MONO, tokenize, type AudioFormat, type FamilyName, type FetchProgress, type TokenizerModel } from "./core.js";
import { byId, download, formatBytes, formatSeconds } from "./dom.js";
import { installGlobalErrorHandlers, showError } from "./errors.js";
import { checkModelFits, describeSource, urlsSource, type ModelSource } from "./modelSource.js";
import { startRecording, type ActiveRecorder } from "./recorder.js";
import { copyText, ResultCard } from "./results.js";

/** An input's samples in one model's format: planar [channels, frames]. */
interface Decoded {
  format: AudioFormat;
  samples: Float32Array; // [channels, frames] at format.sampleRate
}

interface Pending {
  card: ResultCard;
  name: string;
  /** The file's bytes, kept until it is tokenized: a model of another format decodes them again. */
  bytes: Uint8Array;
  decoded: Decoded;
}

let model: TokenizerModel | null = null;
let loading: AbortController | null = null;
const waiting: Pending[] = [];
const cards: ResultCard[] = [];
/** The chain every decode and tokenize call joins, so they run one at a time in order. */
let work: Promise<void> = Promise.resolve();

function enqueue(task: () => Promise<void>): void {
  work = work.then(task, task);
}

function query(): URLSearchParams {
  return new URLSearchParams(location.search);
}

/** Threads: ?threads=N, else up to 4 where the page is cross-origin isolated, else 1 (no SharedArrayBuffer). */
function threadCount(): number {
  const asked = Number(query().get("threads"));
  if (Number.isInteger(asked) && asked > 0) return crossOriginIsolated ? asked : 1;
  return crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

function device(): "wasm" | "webgpu" {
  return byId<HTMLSelectElement>("device").value === "webgpu" ? "webgpu" : "wasm";
}

/** "fast" runs S3's and RepCodec-Whisper's products in int8 (1.3-1.7x the page's exact speed for S3 v2); the other families refuse it. */
function mode(): "exact" | "fast" {
  return byId<HTMLSelectElement>("model-mode").value === "fast" ? "fast" : "exact";
}

// ---------------------------------------------------------------------------------------------
// Model

function modelSource(): ModelSource {
  const kind = (document.querySelector<HTMLInputElement>('input[name="model-source"]:checked')?.value ?? "registry");
  const family = byId<HTMLSelectElement>("model-family").value as FamilyName | "";
  if (kind === "urls") {
    const source = urlsSource(byId<HTMLTextAreaElement>("model-urls").value, location.href);
    return family === "" ? source : { ...source, family };
  }
  if (kind === "files") {
    const files = Array.from(byId<HTMLInputElement>("model-files").files ?? []);
    if (files.length === 0) throw new Error("pick the model's files first");
    return family === "" ? { files } : ({ files, family } as ModelSource);
  }
  const name = byId<HTMLSelectElement>("model-name").value;
  if (name === "") throw new Error("no registry model is chosen");
  return { name };
}

/** Content-Length of a URL by a HEAD request, or null (no length, a refused cross-origin HEAD, an error). */
async function headSize(url: string): Promise<number | null> {
  try {
    const response = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5000) });
    const length = Number(response.headers.get("content-length"));
    return response.ok && Number.isFinite(length) && length > 0 ? length : null;
  } catch {
    return null;
  }
}

/** Bytes the source will take, where known before downloading (registry sizes, picked files, HEAD lengths). */
async function knownSize(source: ModelSource): Promise<number | null> {
  if ("files" in source) return source.files.reduce((n, f) => n + f.size, 0);
  if ("urls" in source) {
    const sizes = await Promise.all(Object.values(source.urls).map(headSize));
    return sizes.every((n) => n !== null) ? sizes.reduce((a, b) => a! + b!, 0)! : null;
  }
  if ("name" in source) {
    const option = byId<HTMLSelectElement>("model-name").selectedOptions[0];
    const size = Number(option?.dataset.size);
    return Number.isFinite(size) && size > 0 ? size : null;
  }
  return null;
}

/** Per file of the model being loaded: bytes read and size (null when the server gives none). */
const progressByFile = new Map<string, FetchProgress>();

/** The download bar over every file of the model: bytes read of the total, and where from. */
function showProgress(progress: FetchProgress): void {
  progressByFile.set(progress.file, progress);
  const all = [...progressByFile.values()];
  const loaded = all.reduce((n, p) => n + p.loaded, 0);
  const known = all.every((p) => p.total !== null);
  const total = all.reduce((n, p) => n + (p.total ?? 0), 0);
  const bar = byId<HTMLProgressElement>("model-progress");
  const from = progress.from === "cache" ? " (from this browser's cache)" : progress.from === "file" ? " (reading the file)" : "";
  if (known && total > 0) {
    bar.max = total;
    bar.value = Math.min(loaded, total);
    byId("model-progress-text").textContent = `${progress.file}: ${formatBytes(loaded)} of ${formatBytes(total)}${from}`;
  } else {
    bar.removeAttribute("value"); // indeterminate: the server gave no length
    byId("model-progress-text").textContent = `${progress.file}: ${formatBytes(loaded)}${from}`;
  }
}

async function loadModel(): Promise<void> {
  const status = byId("model-status");
  const progressRow = byId("model-progress").parentElement!;
  let source: ModelSource;
  try {
    source = modelSource();
    const size = await knownSize(source);
    if (size !== null) checkModelFits(describeSource(source), size, device());
  } catch (error) {
    showError("Model", error);
    return;
  }
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  const name = describeSource(source);
  const started = performance.now();
  byId<HTMLButtonElement>("load-model").disabled = true;
  byId("cancel-load").hidden = false;
  progressRow.hidden = false;
  byId<HTMLProgressElement>("model-progress").value = 0;
  byId("model-progress-text").textContent = "";
  status.textContent = `Loading ${name}…`;
  document.body.dataset.model = "loading";
  document.body.dataset.loadStartedMs = started.toFixed(1);
  try {
    // The previous model is freed before the next one loads (two would hold two copies of the
    // weights), once the work already queued on it is done.
    const previous = model;
    model = null;
    if (previous !== null) await new Promise<void>((done) => enqueue(() => previous.dispose().finally(done)));
    progressByFile.clear();
    const chosenMode = mode();
    const loaded = await loadWebModel(source, { onProgress: showProgress, signal: controller.signal, device: device(), mode: chosenMode });
    if (controller.signal.aborted) {
      await loaded.dispose();
      return;
    }
    model = loaded;
    const seconds = (performance.now() - started) / 1000;
    const rows = loaded.codebooks === 1 ? "1 row" : `${loaded.codebooks} rows`;
    status.textContent = `Loaded ${loaded.source} (${loaded.family}${chosenMode === "fast" ? ", fast mode" : ""}: ${loaded.frameRate} frames/s, ${rows} of ${loaded.codebookSize} codes${loaded.decode ? ", decodes to audio" : ""}) in ${formatSeconds(seconds)}.`;
    document.body.dataset.model = "ready";
    document.body.dataset.modelLoadMs = (seconds * 1000).toFixed(1);
    document.body.dataset.modelMode = chosenMode;
    for (const pending of waiting.splice(0)) enqueue(() => runTokenize(pending));
  } catch (error) {
    document.body.dataset.model = "failed";
    status.textContent = controller.signal.aborted ? "Loading cancelled." : `Could not load ${name}.`;
    if (!controller.signal.aborted) showError(`Loading model ${name}`, error);
  } finally {
    if (loading === controller) loading = null;
    byId<HTMLButtonElement>("load-model").disabled = false;
    byId("cancel-load").hidden = true;
    progressRow.hidden = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Audio and tokens

/** The key of a file in the JSON lines: its name without the extension (as a wav.scp key would be). */
function keyOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

async function runTokenize(pending: Pending): Promise<void> {
  const current = model;
  if (current === null) {
    waiting.push(pending);
    return;
  }
  let samples: Float32Array;
  try {
    samples = await samplesFor(pending, current);
  } catch (error) {
    pending.card.failed(error);
    showError(`Audio ${pending.name}`, error);
    return;
  }
  const seconds = samples.length / current.channels / current.sampleRate;
  pending.card.running(seconds, current);
  try {
    const started = performance.now();
    const codes = await tokenize(current, samples);
    pending.card.done(codes, seconds, performance.now() - started, current);
    updateBulkButtons();
  } catch (error) {
    pending.card.failed(error);
    showError(`Tokenizing ${pending.card.key}`, error);
  }
}

/** The format audio is decoded to: the model's; before any model, 16 kHz mono, to show the length and refuse damage early. */
function formatNow(): AudioFormat {
  return model ?? SPEECH_16K_MONO;
}

function sameFormat(a: AudioFormat, b: AudioFormat): boolean {
  return a.sampleRate === b.sampleRate && a.channels === b.channels && (a.mixToMono ?? "first") === (b.mixToMono ?? "first");
}

/** The input's samples as `current` takes them: decoded again when it was decoded for another format. */
async function samplesFor(pending: Pending, current: TokenizerModel): Promise<Float32Array> {
  if (!sameFormat(pending.decoded.format, current)) {
    pending.decoded = { format: audioFormatOf(current), samples: await decodeAudioForModel(pending.bytes, current, pending.name) };
  }
  return pending.decoded.samples;
}

/** Decodes one input with the project's decoders, then tokenizes it (now, or once a model is loaded). */
function addAudio(name: string, bytes: () => Promise<Uint8Array>): void {
  const card = new ResultCard(keyOf(name));
  cards.push(card);
  enqueue(async () => {
    let decoded: Decoded;
    const input = await bytes();
    const started = performance.now();
    try {
      const format = formatNow();
      decoded = { format: audioFormatOf(format), samples: await decodeAudioForModel(input, format, name) };
    } catch (error) {
      card.failed(error);
      showError(`Audio ${name}`, error);
      return;
    }
    card.waiting(decoded.samples.length / decoded.format.channels / decoded.format.sampleRate, performance.now() - started);
    await runTokenize({ card, name, bytes: input, decoded });
  });
  byId("audio-status").textContent = model === null ? "Audio waits until a model is loaded." : "";
}

function addFiles(files: Iterable<File>): void {
  for (const file of files) addAudio(file.name, async () => new Uint8Array(await file.arrayBuffer()));
}

let recorder: ActiveRecorder | null = null;
let recordings = 0;

async function toggleRecording(button: HTMLButtonElement): Promise<void> {
  if (recorder === null) {
    try {
      recorder = await startRecording();
      button.setAttribute("aria-pressed", "true");
      button.textContent = "Stop recording";
    } catch (error) {
      showError("Microphone", error);
    }
    return;
  }
  const active = recorder;
  recorder = null;
  button.setAttribute("aria-pressed", "false");
  button.textContent = "Record";
  const recording = await active.stop().catch((error: unknown) => {
    showError("Recording", error);
    return null;
  });
  if (recording !== null) addAudio(`recording-${++recordings}.${recording.extension}`, async () => recording.bytes);
}

function allLines(): string {
  // Oldest first, as a corpus run would write them.
  return cards.flatMap((c) => (c.jsonLine === null ? [] : [c.jsonLine + "\n"])).join("");
}

function updateBulkButtons(): void {
  const none = allLines() === "";
  for (const id of ["copy-all", "download-all", "clear-results"]) byId<HTMLButtonElement>(id).disabled = none;
}

// ---------------------------------------------------------------------------------------------
// Wiring

/** The family chooser: "detect" and every family the core registers. */
function fillFamilies(): void {
  const select = byId<HTMLSelectElement>("model-family");
  for (const family of listWebFamilies()) select.append(new Option(family.title, family.name));
}

async function fillRegistry(): Promise<void> {
  const select = byId<HTMLSelectElement>("model-name");
  const models = await listWebModels();
  for (const entry of models) {
    const size = entry.size;
    const option = new Option(`${entry.name} (${entry.family}${typeof size === "number" ? `, ${formatBytes(size)}` : ""})`, entry.name);
    if (typeof size === "number") option.dataset.size = String(size);
    select.append(option);
  }
  if (models.length === 0) select.append(new Option("(no registry models in this build)", ""));
}

function wireDropZone(): void {
  const zone = byId("drop-zone");
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    addFiles(event.dataTransfer?.files ?? []);
  });
  // From the keyboard the zone opens the file picker (a drop needs a mouse).
  zone.addEventListener("keydown", (event) => {
    if (event.target !== zone || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    byId<HTMLInputElement>("audio-files").click();
  });
  // A drop outside the zone must not navigate away from the page (and lose the results).
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
}

function wire(): void {
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="model-source"]')) {
    radio.addEventListener("change", () => {
      for (const part of document.querySelectorAll<HTMLElement>(".source")) part.hidden = part.dataset.source !== radio.value;
      for (const part of document.querySelectorAll<HTMLElement>(".source-family")) part.hidden = radio.value === "registry";
    });
  }
  byId("model-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void loadModel();
  });
  byId("cancel-load").addEventListener("click", () => loading?.abort());
  const picker = byId<HTMLInputElement>("audio-files");
  picker.addEventListener("change", () => {
    addFiles(Array.from(picker.files ?? []));
    picker.value = "";
  });
  wireDropZone();
  const record = byId<HTMLButtonElement>("record");
  record.addEventListener("click", () => void toggleRecording(record));
  byId("copy-all").addEventListener("click", (event) => void copyText(allLines(), event.currentTarget as HTMLButtonElement));
  byId("download-all").addEventListener("click", () => download("codes.jsonl", allLines(), "application/jsonl"));
  byId("clear-results").addEventListener("click", () => {
    for (const card of cards.splice(0)) card.element.remove();
    waiting.length = 0;
    updateBulkButtons();
  });
}

async function start(): Promise<void> {
  installGlobalErrorHandlers();
  const asked = query().get("device");
  if (asked === "webgpu" || asked === "wasm") byId<HTMLSelectElement>("device").value = asked;
  const threads = threadCount();
  // onnxruntime-web finds its .wasm beside its module (the build puts both in dist/web).
  configureRuntime({ numThreads: threads, device: device() });
  const gpu = "gpu" in navigator ? "WebGPU available" : "no WebGPU";
  byId("runtime-info").textContent = `${crossOriginIsolated ? "Cross-origin isolated" : "Not cross-origin isolated"}: WebAssembly with ${threads} thread${threads === 1 ? "" : "s"}; ${gpu}.`;
  wire();
  try {
    fillFamilies();
    await fillRegistry();
  } catch (error) {
    showError("Registry", error);
  }
  document.body.dataset.pageReadyMs = performance.now().toFixed(1);
  document.body.dataset.page = "ready";
}

void start().catch((error: unknown) => showError("Starting the page", error));
