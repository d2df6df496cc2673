/**
 * onnxruntime-web as the models' runtime in a page: WebAssembly with SIMD, threads when the page
 * is cross-origin isolated (SharedArrayBuffer), single-threaded otherwise; WebGPU when asked for
 * and the browser gives an adapter. The same module runs in Node (onnxruntime-web's Node build),
 * which is how the test suite checks the page's tokens without a browser.
 */
import * as ort from "onnxruntime-web";
import { DeviceUnavailableError } from "../errors.js";
import type { OrtSessionOptions, RuntimeBackend } from "../runtime/backend.js";
import { inPlaceLayout } from "../onnx/externalLayout.js";
import { openFailure } from "../runtime/openFailure.js";
import type { RuntimeOptions } from "../runtime/options.js";
import { SerialSessionRunner } from "../runtime/serialRunner.js";

/** Where a page's models run: onnxruntime-web's WebAssembly ("wasm") or WebGPU. */
export type WebDevice = "wasm" | "webgpu";

export interface WebRuntimeOptions {
  /**
   * Where onnxruntime-web's .wasm/.mjs files are served (a URL prefix ending in "/", or a map of
   * file name → URL). Default: beside the bundle (the build copies them to dist/web/).
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * WebAssembly threads. Default: onnxruntime-web's (half the cores, at most 4) when the page is
   * cross-origin isolated, else 1 (threads need SharedArrayBuffer). Takes effect before the
   * first model loads.
   */
  numThreads?: number;
  /** The default device of loadWebModel (default "wasm"). */
  device?: WebDevice;
}

let defaultDevice: WebDevice = "wasm";

function crossOriginIsolated(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** Sets onnxruntime-web's wasm file location (the page's setter; also part of configureRuntime). */
export function setWasmPaths(paths: string | Record<string, string>): void {
  ort.env.wasm.wasmPaths = paths;
}

/** Settings for every model loaded afterwards. */
export function configureRuntime(options: WebRuntimeOptions = {}): void {
  if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths);
  if (options.numThreads !== undefined) {
    if (!Number.isInteger(options.numThreads) || options.numThreads < 1) {
      throw new DeviceUnavailableError("wasm", `numThreads must be a positive integer, got ${options.numThreads}`);
    }
    ort.env.wasm.numThreads = crossOriginIsolated() ? options.numThreads : 1;
  } else if (!crossOriginIsolated()) {
    ort.env.wasm.numThreads = 1;
  }
  if (options.device !== undefined) defaultDevice = options.device;
}

/** The device loadWebModel uses when none is given. */
export function configuredDevice(): WebDevice {
  return defaultDevice;
}

/** WebAssembly threads the sessions will use (what configureRuntime settled on). */
export function wasmThreads(): number {
  return ort.env.wasm.numThreads ?? 1;
}

/** True when the browser offers a WebGPU adapter. */
export async function webGpuAvailable(): Promise<boolean> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/** Throws DeviceUnavailableError when WebGPU is asked for and the browser has no adapter. */
export async function requireWebDevice(device: WebDevice): Promise<void> {
  if (device === "webgpu" && !(await webGpuAvailable())) {
    throw new DeviceUnavailableError("webgpu", "this browser offers no WebGPU adapter (navigator.gpu is absent or gives none); use the WebAssembly device");
  }
}

/** The page's session settings for a device. */
function sessionOptions(options: RuntimeOptions): OrtSessionOptions {
  return {
    executionProviders: [options.device === "webgpu" ? "webgpu" : "wasm"],
    graphOptimizationLevel: "all",
    // Errors only, as in Node: the runtime's warnings are notes to its developers.
    logSeverityLevel: 3,
    // No pre-packed copies of the MatMul weights: the WebAssembly heap never shrinks, so a packed
    // copy beside the original held a third copy of those weights in the tab (the released v2's
    // load peaked at 2.80 copies with packing, 2.36 without; bench/webLoadRss.ts), and the page's
    // speed is the same without it (S3 v2 on four workload files: 6.67x and 6.75x real time).
    extra: { session: { disable_prepacking: "1" } },
  };
}

/**
 * Session creations one at a time: onnxruntime-web keeps the external data of a session being
 * created in one module-wide table that it empties when any creation ends, so two creations at
 * once (SpeechTokenizer opens its encoder's two graphs together) would read each other's weights.
 */
let creating: Promise<unknown> = Promise.resolve();

/** onnxruntime-web: one session per graph on the page's thread (its operators use the wasm threads). */
export const webBackend: RuntimeBackend = {
  platform: "web",
  ort,
  threads: () => globalThis.navigator?.hardwareConcurrency ?? 1,
  async openSession(model, options, source, extra = {}) {
    // onnxruntime-web reads a string as a URL; models here are always bytes.
    const create = creating.then(() => ort.InferenceSession.create(model as Uint8Array, { ...sessionOptions(options), ...extra }));
    creating = create.catch(() => undefined);
    try {
      return await create;
    } catch (error) {
      throw openFailure(options, source, error instanceof Error ? error.message : String(error), error);
    }
  },
  openGraph(graph, options, source, extra = {}) {
    const { graph: bytes, files } = inPlaceLayout(graph);
    return webBackend.openSession(bytes, options, source, { ...extra, externalData: files });
  },
  async openStreams(model, options, source, _count, extra) {
    // One session: a second would hold a second copy of the weights in the tab, and the wasm
    // threads already share the cores out within each operator.
    return new SerialSessionRunner(ort, await webBackend.openSession(model, options, source, extra), source);
  },
};
