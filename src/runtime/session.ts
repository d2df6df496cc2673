/**
 * onnxruntime sessions: device names → execution providers, thread settings, and clear errors
 * when a device is not installed. Everything that touches onnxruntime's session API is here.
 */
import * as ort from "onnxruntime-node";
import { DeviceUnavailableError, ModelFormatError } from "../errors.js";

/** "cpu"; "cuda" (onnxruntime-node installed with its CUDA 12 binaries); "webgpu" (Dawn, bundled on Linux/Windows/macOS). */
export type Device = "cpu" | "cuda" | "webgpu";

export interface RuntimeOptions {
  /** "cpu" (default), "cuda" or "webgpu". */
  device?: Device;
  /** GPU ordinal for "cuda" (e.g. the process's local rank). */
  deviceId?: number;
  /** Threads inside one operator; onnxruntime's default (physical cores) when absent. */
  intraOpThreads?: number;
}

export function parseDevice(value: string): Device {
  if (value === "cpu" || value === "cuda" || value === "webgpu") return value;
  if (/^cuda:\d+$/.test(value)) return "cuda";
  throw new DeviceUnavailableError(value, 'expected "cpu", "cuda", "cuda:N" or "webgpu"');
}

/** True for the CPU, which is also what an absent device means. */
export function isCpu(device: Device | undefined): boolean {
  return device === undefined || device === "cpu";
}

/** A device flag ("cpu", "cuda", "cuda:N", "webgpu") as runtime options: the device and any ordinal. */
export function selectDevice(value: string): { device: Device; deviceId?: number } {
  const selection: { device: Device; deviceId?: number } = { device: parseDevice(value) };
  const ordinal = deviceOrdinal(value);
  if (ordinal !== undefined) selection.deviceId = ordinal;
  return selection;
}

/** The GPU ordinal in "cuda:N", if given. */
export function deviceOrdinal(value: string): number | undefined {
  const match = /^cuda:(\d+)$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** True when this onnxruntime-node installation carries the execution provider (bundled or installed). */
function providerInstalled(name: string): boolean {
  return ort.listSupportedBackends().some((backend) => backend.name === name && backend.bundled);
}

/** True when this onnxruntime-node installation carries the CUDA execution provider. */
export function cudaInstalled(): boolean {
  return providerInstalled("cuda");
}

const INSTALL_HINT: Record<Exclude<Device, "cpu">, string> = {
  cuda:
    "this onnxruntime-node installation has no CUDA execution provider; reinstall it with its CUDA 12 binaries " +
    "(ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node, on Linux x64 with CUDA 12 and cuDNN 9)",
  webgpu: "this onnxruntime-node build has no WebGPU execution provider (it ships on Linux x64, Windows and macOS)",
};

/** onnxruntime session options for a device and thread count. */
export function sessionOptions(options: RuntimeOptions): ort.InferenceSession.SessionOptions {
  const device = options.device ?? "cpu";
  const providers: ort.InferenceSession.ExecutionProviderConfig[] =
    device === "cuda"
      ? [{ name: "cuda", deviceId: options.deviceId ?? 0 } as ort.InferenceSession.ExecutionProviderConfig]
      : device === "webgpu"
        ? ["webgpu"]
        : ["cpu"];
  const settings: ort.InferenceSession.SessionOptions = {
    executionProviders: providers,
    graphOptimizationLevel: "all",
    // Errors only: onnxruntime's warnings (e.g. that shape operators stay on the CPU under a GPU
    // provider) are notes to its developers, not to ours; its failures still reach us as errors.
    logSeverityLevel: 3,
  };
  // onnxruntime-node rejects an explicit undefined; leave the key out for its default.
  if (options.intraOpThreads !== undefined) settings.intraOpNumThreads = options.intraOpThreads;
  return settings;
}

/** Throws DeviceUnavailableError, saying what to install, when the device's provider is missing. */
export function requireDevice(options: RuntimeOptions): void {
  const device = options.device ?? "cpu";
  if (device !== "cpu" && !providerInstalled(device)) throw new DeviceUnavailableError(device, INSTALL_HINT[device]);
}

/** The typed error for onnxruntime refusing to open `source` on the device, with its reason. */
export function openFailure(options: RuntimeOptions, source: string, reason: string, cause?: unknown): Error {
  const device = options.device ?? "cpu";
  // A provider that is installed but finds no usable GPU (no driver, no adapter) fails here.
  if (device !== "cpu") return new DeviceUnavailableError(device, reason, { cause });
  return new ModelFormatError(source, `onnxruntime cannot load it: ${reason}`, { cause });
}

/**
 * Opens a session on model bytes or a file path; `source` names the model in errors. `extra`
 * overrides session settings (e.g. no memory arena for graphs run on very different lengths).
 */
export async function openSession(
  model: Uint8Array | string,
  options: RuntimeOptions,
  source: string,
  extra: ort.InferenceSession.SessionOptions = {},
): Promise<ort.InferenceSession> {
  requireDevice(options);
  const settings = { ...sessionOptions(options), ...extra };
  try {
    return typeof model === "string"
      ? await ort.InferenceSession.create(model, settings)
      : await ort.InferenceSession.create(model, settings);
  } catch (error) {
    throw openFailure(options, source, error instanceof Error ? error.message : String(error), error);
  }
}

export { ort };
