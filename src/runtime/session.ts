/**
 * onnxruntime sessions: device names → execution providers, thread settings, and clear errors
 * when a device is not installed. Everything that touches onnxruntime's session API is here.
 */
import * as ort from "onnxruntime-node";
import { DeviceUnavailableError, ModelFormatError } from "../errors.js";

export type Device = "cpu" | "cuda";

export interface RuntimeOptions {
  /** "cpu" (default) or "cuda" (needs onnxruntime-node's CUDA binaries). */
  device?: Device;
  /** GPU ordinal for "cuda" (e.g. the process's local rank). */
  deviceId?: number;
  /** Threads inside one operator; onnxruntime's default (physical cores) when absent. */
  intraOpThreads?: number;
}

export function parseDevice(value: string): Device {
  if (value === "cpu" || value === "cuda") return value;
  const match = /^cuda:(\d+)$/.exec(value);
  if (match) return "cuda";
  throw new DeviceUnavailableError(value, 'expected "cpu", "cuda" or "cuda:N"');
}

/** True when this onnxruntime-node installation carries the CUDA execution provider. */
export function cudaInstalled(): boolean {
  return ort.listSupportedBackends().some((backend) => backend.name === "cuda" && backend.bundled);
}

function sessionOptions(options: RuntimeOptions): ort.InferenceSession.SessionOptions {
  const device = options.device ?? "cpu";
  const providers: ort.InferenceSession.ExecutionProviderConfig[] =
    device === "cuda" ? [{ name: "cuda", deviceId: options.deviceId ?? 0 } as ort.InferenceSession.ExecutionProviderConfig] : ["cpu"];
  const settings: ort.InferenceSession.SessionOptions = {
    executionProviders: providers,
    graphOptimizationLevel: "all",
  };
  // onnxruntime-node rejects an explicit undefined; leave the key out for its default.
  if (options.intraOpThreads !== undefined) settings.intraOpNumThreads = options.intraOpThreads;
  return settings;
}

/** Opens a session on model bytes or a file path; `source` names the model in errors. */
export async function openSession(
  model: Uint8Array | string,
  options: RuntimeOptions,
  source: string,
): Promise<ort.InferenceSession> {
  if ((options.device ?? "cpu") === "cuda" && !cudaInstalled()) {
    throw new DeviceUnavailableError(
      "cuda",
      "this onnxruntime-node installation has no CUDA execution provider; reinstall it with its CUDA binaries " +
        "(npm install onnxruntime-node without ONNXRUNTIME_NODE_INSTALL=skip, on a Linux x64 machine with CUDA 12)",
    );
  }
  try {
    return typeof model === "string"
      ? await ort.InferenceSession.create(model, sessionOptions(options))
      : await ort.InferenceSession.create(model, sessionOptions(options));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if ((options.device ?? "cpu") === "cuda") throw new DeviceUnavailableError("cuda", reason, { cause: error });
    throw new ModelFormatError(source, `onnxruntime cannot load it: ${reason}`, { cause: error });
  }
}

export { ort };
