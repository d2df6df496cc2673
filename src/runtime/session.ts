/**
 * onnxruntime-node sessions: device names → execution providers, thread settings, and clear
 * errors when a device is not installed (the models' runtime in Node built on them: nodeBackend.ts).
 */
import { availableParallelism } from "node:os";
import * as ort from "onnxruntime-node";
import { DeviceUnavailableError } from "../errors.js";
import { openFailure } from "./openFailure.js";
import { withDefaultThreads, type Device, type RuntimeOptions } from "./options.js";

export { deviceOrdinal, isCpu, parseDevice, selectDevice, type Device, type RuntimeOptions } from "./options.js";
export { openFailure };

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
  // onnxruntime-node rejects an explicit undefined; leave the key out for its default (GPU sessions).
  const { intraOpThreads } = withDefaultThreads(options, availableParallelism());
  if (intraOpThreads !== undefined) settings.intraOpNumThreads = intraOpThreads;
  return settings;
}

/** Throws DeviceUnavailableError, saying what to install, when the device's provider is missing. */
export function requireDevice(options: RuntimeOptions): void {
  const device = options.device ?? "cpu";
  if (device !== "cpu" && !providerInstalled(device)) throw new DeviceUnavailableError(device, INSTALL_HINT[device]);
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
