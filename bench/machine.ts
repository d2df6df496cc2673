/** The machine a result was measured on, for the JSON and the table's heading. */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { ort } from "../src/runtime/session.js";

export interface MachineInfo {
  cpu_model: string;
  cores: number;
  memory_gb: number;
  /** The SIMD extensions that decide MatMul speed, as /proc/cpuinfo lists them. */
  simd: string[];
  node: string;
  onnxruntime: string;
  platform: string;
}

const SIMD_FLAGS = ["avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16"];

function cpuinfoField(text: string, field: string): string | undefined {
  return new RegExp(`^${field}\\s*:\\s*(.*)$`, "m").exec(text)?.[1]?.trim();
}

function describeCpu(): { model: string; simd: string[] } {
  let text = "";
  try {
    text = readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return { model: cpus()[0]?.model ?? "unknown", simd: [] };
  }
  let model = cpuinfoField(text, "model name") ?? cpus()[0]?.model ?? "unknown";
  // Virtual machines often show only "AMD EPYC" or similar: family and model then tell the generation.
  const family = cpuinfoField(text, "cpu family");
  const number = cpuinfoField(text, "model");
  if (family && number && !/\d{3,}/.test(model)) model += ` (family ${family}, model ${number})`;
  const flags = new Set((cpuinfoField(text, "flags") ?? "").split(/\s+/));
  return { model, simd: SIMD_FLAGS.filter((f) => flags.has(f)) };
}

export function machineInfo(): MachineInfo {
  const cpu = describeCpu();
  return {
    cpu_model: cpu.model,
    cores: availableParallelism(),
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    simd: cpu.simd,
    node: process.version,
    onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
    platform: `${process.platform} ${process.arch}`,
  };
}
