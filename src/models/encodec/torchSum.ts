/**
 * torch's float32 sum of a contiguous vector on the CPU (ATen's SumKernel: cascade sums of
 * 8-lane AVX2 vectors, four vector rows interleaved, level accumulators), rounded as it rounds.
 * A plain float64 sum rounded once is closer to the true value, yet differs from torch's in the
 * last bit on some segments, and upstream's per-segment scale (written into .ecdc files) comes
 * from this sum; so it is followed here step by step.
 */

/** Lanes of one vector (AVX2 floats): the CPU kernel the references were made with. */
const LANES = 8;
/** Vector rows summed side by side (the kernel's ILP factor). */
const ROWS = 4;
/** Accumulator levels of the cascade. */
const LEVELS = 4;

function ceilLog2(x: number): number {
  return x <= 2 ? 1 : Math.floor(Math.log2(x - 1)) + 1;
}

/** acc += v lane by lane, in float32. */
function addLanes(acc: Float32Array, v: Float32Array): void {
  for (let l = 0; l < LANES; l++) acc[l] = Math.fround(acc[l]! + v[l]!);
}

/**
 * The kernel's multi-row cascade over `count` steps, each adding the next vector of each of ROWS
 * rows (vector index = step · ROWS + row): level 0 takes 2^p steps, then spills up a level,
 * each level spilling further only when its block of steps is complete.
 */
function cascade(values: Float32Array, count: number): Float32Array[] {
  const power = Math.max(4, Math.floor(ceilLog2(count) / LEVELS));
  const step = 2 ** power;
  const acc = Array.from({ length: LEVELS }, () => Array.from({ length: ROWS }, () => new Float32Array(LANES))); // [level][row] lanes
  const vector = (i: number, row: number): Float32Array => values.subarray((i * ROWS + row) * LANES, (i * ROWS + row + 1) * LANES);
  let i = 0;
  while (i + step <= count) {
    for (let j = 0; j < step; j++, i++) for (let row = 0; row < ROWS; row++) addLanes(acc[0]![row]!, vector(i, row));
    for (let level = 1; level < LEVELS; level++) {
      for (let row = 0; row < ROWS; row++) {
        addLanes(acc[level]![row]!, acc[level - 1]![row]!);
        acc[level - 1]![row]!.fill(0);
      }
      if (i % 2 ** ((level + 1) * power) !== 0) break; // (i & (mask << level·power)) != 0, as i is a multiple of 2^(level·power) here
    }
  }
  for (; i < count; i++) for (let row = 0; row < ROWS; row++) addLanes(acc[0]![row]!, vector(i, row));
  for (let level = 1; level < LEVELS; level++) for (let row = 0; row < ROWS; row++) addLanes(acc[0]![row]!, acc[level]![row]!);
  return acc[0]!;
}

/** The float32 sum torch's CPU kernel gives for these values. */
export function torchFloatSum(values: Float32Array): number {
  const vectors = Math.floor(values.length / LANES);
  const steps = Math.floor(vectors / ROWS);
  const partial = cascade(values, steps);
  for (let v = steps * ROWS; v < vectors; v++) addLanes(partial[0]!, values.subarray(v * LANES, (v + 1) * LANES));
  for (let row = 1; row < ROWS; row++) addLanes(partial[0]!, partial[row]!);
  let sum = 0;
  for (let k = vectors * LANES; k < values.length; k++) sum = Math.fround(sum + values[k]!);
  for (let l = 0; l < LANES; l++) sum = Math.fround(sum + partial[0]![l]!);
  return sum;
}
