/**
 * The fast mode's VQ: an int8 codebook product shortlists codes and the fp32 distance picks among
 * them. On frames and a codebook with realistic gaps it must pick the fp32 product's code for
 * every frame; a shortlist of one (the int8 product alone) must not, or this test shows nothing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { DataType, GraphBuilder } from "../src/onnx/builder.js";
import { float32Tensor } from "../src/onnx/tensor.js";
import { encodeModel } from "../src/onnx/write.js";
import { quantize, VQ_SHORTLIST } from "../src/models/common/quantizers.js";

const FRAMES = 4000;
const WIDTH = 64;
const CODES = 512;

/** Standard normal values from a fixed seed (Box-Muller over a linear congruential generator). */
function gaussian(count: number, seed: number): Float32Array {
  let state = seed;
  const uniform = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state + 1) / (2 ** 31 + 1);
  };
  return Float32Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

/** Codes of x [N, D] from both VQ paths of one codebook [D, C], the int8 one with `shortlist` candidates. */
async function bothPaths(shortlist = VQ_SHORTLIST): Promise<{ exact: Int32Array; fast: Int32Array }> {
  const g = new GraphBuilder();
  const x = g.input("x", DataType.FLOAT, ["frames", WIDTH]); // [N, D]
  const quantizer = { kind: "vq" as const, codebook: float32Tensor([WIDTH, CODES], gaussian(WIDTH * CODES, 11)) };
  g.output("exact", quantize(g, x, quantizer, "exact"), DataType.INT32, ["frames"]);
  g.output("fast", quantize(g, x, quantizer, "int8", shortlist), DataType.INT32, ["frames"]);
  const session = await ort.InferenceSession.create(encodeModel(g.build("vq")), { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ x: new ort.Tensor("float32", gaussian(FRAMES * WIDTH, 5), [FRAMES, WIDTH]) });
    return { exact: out["exact"]!.data as Int32Array, fast: out["fast"]!.data as Int32Array };
  } finally {
    await session.release();
  }
}

test("the int8 shortlist keeps the fp32 code of every frame", async () => {
  const { exact, fast } = await bothPaths();
  assert.equal(fast.length, FRAMES);
  const differing = exact.filter((code, i) => code !== fast[i]).length;
  assert.equal(differing, 0, `${differing} of ${FRAMES} frames got another code`);
});

test("the int8 product alone (a shortlist of one) picks other codes: the data tell the paths apart", async () => {
  const { exact, fast } = await bothPaths(1);
  assert.ok(exact.some((code, i) => code !== fast[i]), "int8 rounding moves some frames' best code");
});
