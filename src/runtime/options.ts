/**
 * Device names and runtime options: plain data every platform shares (Node's onnxruntime-node
 * and the browser's onnxruntime-web), so nothing here imports a runtime.
 */
import { DeviceUnavailableError } from "../errors.js";

/**
 * "cpu"; "cuda" (onnxruntime-node installed with its CUDA 12 binaries); "webgpu" (Dawn in Node,
 * the browser's own WebGPU in a page). In a page "cpu" is onnxruntime-web's WebAssembly.
 */
export type Device = "cpu" | "cuda" | "webgpu";

export interface RuntimeOptions {
  /** "cpu" (default), "cuda" or "webgpu". */
  device?: Device;
  /** GPU ordinal for "cuda" (e.g. the process's local rank). */
  deviceId?: number;
  /** Threads inside one operator. In Node on the CPU, one per hardware thread when absent (withDefaultThreads). */
  intraOpThreads?: number;
  /**
   * The model is a cached graph file of this project's: on the CPU, keep a copy of it with
   * onnxruntime's packed weights beside it and open that on later starts (packedCopy.ts). Never
   * for a user's own file, which gets nothing written beside it.
   */
  packedCopy?: boolean;
}

/**
 * The options with `threads` intra-op threads where none were chosen and the device is the CPU.
 * Why not leave it to onnxruntime: its default (physical cores) ran every operator on the calling
 * thread alone on a 2-vCPU virtual machine (AMD EPYC, Zen 5) whose topology lists two cores, so a
 * session whose caller left the count out was single-threaded there: an EnCodec 24 kHz encode
 * took 5.3 s instead of 2.9 s.
 * GPU sessions keep onnxruntime's default (their CPU threads only feed the device).
 */
export function withDefaultThreads(options: RuntimeOptions, threads: number): RuntimeOptions {
  if (options.intraOpThreads !== undefined || !isCpu(options.device)) return options;
  return { ...options, intraOpThreads: threads };
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
