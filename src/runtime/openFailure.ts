/** The typed error for a runtime (onnxruntime-node or onnxruntime-web) refusing to open a model. */
import { DeviceUnavailableError, ModelFormatError } from "../errors.js";
import type { RuntimeOptions } from "./options.js";

/** The typed error for onnxruntime refusing to open `source` on the device, with its reason. */
export function openFailure(options: RuntimeOptions, source: string, reason: string, cause?: unknown): Error {
  const device = options.device ?? "cpu";
  // A provider that is installed but finds no usable GPU (no driver, no adapter) fails here.
  if (device !== "cpu") return new DeviceUnavailableError(device, reason, { cause });
  return new ModelFormatError(source, `onnxruntime cannot load it: ${reason}`, { cause });
}
