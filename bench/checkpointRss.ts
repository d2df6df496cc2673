/**
 * `npm run bench:checkpoint`: peak memory of reading a large checkpoint. Writes a ~480 MB float32
 * torch checkpoint shaped like a SEANet codec's (LSTM [4096, 1024] matrices, [1024, 1024] and
 * conv weights), then in a child process reads it with readCheckpoint, touches every tensor
 * (sums it), and reports the child's peak RSS (VmHWM) against the file size and against the
 * child's own peak before reading. The reader keeps tensors as views on one file buffer, so the
 * target is one copy: file size + ~100 MB.
 *
 *   npm run bench:checkpoint [-- --keep FILE]   (--keep writes FILE and leaves it in place)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCheckpoint, writeTorchCheckpoint } from "../src/checkpoint/index.js";
import { float32Tensor, toFloat32, type TensorData } from "../src/onnx/tensor.js";

const MB = 1024 * 1024;

/** Peak resident set of this process in bytes (Linux /proc/self/status VmHWM). */
function peakRss(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** name -> shape of a SEANet-like codec, about 480 MB of float32. */
function codecShapes(): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (let layer = 0; layer < 8; layer++) {
    // [4 * hidden, hidden] LSTM gates, hidden 1024.
    shapes.set(`encoder.lstm.weight_ih_l${layer}`, [4096, 1024]);
    shapes.set(`encoder.lstm.weight_hh_l${layer}`, [4096, 1024]);
    shapes.set(`encoder.lstm.bias_ih_l${layer}`, [4096]);
    shapes.set(`encoder.lstm.bias_hh_l${layer}`, [4096]);
  }
  for (let block = 0; block < 50; block++) {
    shapes.set(`decoder.block.${block}.conv.weight`, [1024, 1024, 1]);
    shapes.set(`decoder.block.${block}.conv.bias`, [1024]);
  }
  for (let block = 0; block < 3; block++) shapes.set(`encoder.model.${block}.conv.weight`, [512, 512, 7]);
  return shapes;
}

function writeBenchCheckpoint(path: string): void {
  const sd = new Map<string, TensorData>();
  let seed = 1;
  for (const [name, dims] of codecShapes()) {
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = ((i * 2654435761 + seed) % 2000) / 1000 - 1;
    sd.set(name, float32Tensor(dims, values));
    seed++;
  }
  writeTorchCheckpoint(path, sd);
}

async function child(path: string): Promise<void> {
  const before = peakRss();
  const checkpoint = await readCheckpoint(path);
  let sum = 0;
  let tensors = 0;
  for (const tensor of checkpoint.stateDict().values()) {
    const values = toFloat32(tensor);
    for (let i = 0; i < values.length; i++) sum += values[i]!;
    tensors++;
  }
  process.stdout.write(JSON.stringify({ before, after: peakRss(), tensors, sum }) + "\n");
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "--child") return child(argv[1]!);
  const keep = argv[0] === "--keep" ? argv[1] : undefined;
  const dir = keep ? undefined : mkdtempSync(join(tmpdir(), "bench-checkpoint-"));
  const path = keep ?? join(dir!, "codec.pt");
  try {
    writeBenchCheckpoint(path);
    const size = statSync(path).size;
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", path], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`child failed: ${run.stderr}`);
    const result = JSON.parse(run.stdout) as { before: number; after: number; tensors: number; sum: number };
    const line = (label: string, bytes: number) => `${label.padEnd(34)} ${(bytes / MB).toFixed(0).padStart(6)} MB`;
    process.stdout.write(
      [
        `checkpoint: ${path} (${result.tensors} float32 tensors)`,
        line("file size", size),
        line("child peak RSS before reading", result.before),
        line("child peak RSS after reading all", result.after),
        line("peak RSS minus file size", result.after - size),
        `peak RSS / file size: ${(result.after / size).toFixed(2)} (target: one copy, file size + ~100 MB)`,
      ].join("\n") + "\n",
    );
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

await main(process.argv.slice(2));
