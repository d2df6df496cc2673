/**
 * The tokenizer on WebGPU. Where onnxruntime finds a WebGPU adapter (a GPU, or Mesa's lavapipe,
 * a Vulkan driver on the CPU that .ci/run installs when it can), the fixture set goes through it
 * in the default batches, 30 s windows and long audio included, and must give the reference
 * tokens. Without an adapter that part is skipped with the reason; the batch limit check runs
 * either way.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DeviceUnavailableError, InvalidInputError } from "../src/errors.js";
import { buildBatchedGraph } from "../src/models/s3/modelFile.js";
import { webGpuBatchLimits } from "../src/models/s3/webgpuPlan.js";
import { S3Tokenizer } from "../src/s3Tokenizer.js";
import { compareTokens, summarize } from "../src/s3Verify/missRate.js";
import { MODEL_NAMES, modelPath, referenceTokens, sixteenKilohertzUtterances } from "./support/conformance.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";

const fixtures = fixturesDir();
// As the conformance suite: a GPU sums in another order, which can move a random-weight FSQ
// value across a rounding edge (one token of about 5300 seen on lavapipe, v3).
const MAX_MISS_RATE = 0.001;

/** The tokenizer on WebGPU, or null (with the reason noted) where no adapter is found. */
async function loadOnWebGpu(name: string, note: (reason: string) => void): Promise<S3Tokenizer | null> {
  try {
    return await S3Tokenizer.load(modelPath(fixtures!, name), { device: "webgpu" });
  } catch (error) {
    if (!(error instanceof DeviceUnavailableError)) throw error;
    note(error.message);
    return null;
  }
}

for (const name of MODEL_NAMES) {
  describe(`webgpu ${name}`, { skip: fixtures === null ? skipReason : false }, () => {
    test("the fixture set in default WebGPU batches gives the reference tokens", async (t) => {
      const tokenizer = await loadOnWebGpu(name, (reason) => t.skip(`no WebGPU adapter: ${reason.split("\n")[0]}`));
      if (tokenizer === null) return;
      try {
        const utterances = await sixteenKilohertzUtterances(fixtures!);
        const reference = referenceTokens(fixtures!, name);
        const rows = await tokenizer.tokenize(utterances.map((u) => u.samples));
        const comparisons = utterances.map((u, i) => compareTokens(reference.single[u.key]!, rows[i]!));
        const total = summarize(comparisons);
        t.diagnostic(`${name} webgpu: ${total.misses}/${total.compared} tokens differ from the reference`);
        assert.equal(total.lengthMismatches, 0);
        assert.ok(total.missRate <= MAX_MISS_RATE, `miss rate ${(100 * total.missRate).toFixed(4)}% over 0.1%`);
      } finally {
        await tokenizer.dispose();
      }
    });

    test("a batch limit over what a WebGPU binding holds is refused, naming the limit", async () => {
      const { info } = await buildBatchedGraph(modelPath(fixtures!, name));
      const ceiling = webGpuBatchLimits(info.dims, info.version, 128).maxBatchFrames;
      await assert.rejects(
        S3Tokenizer.load(modelPath(fixtures!, name), { device: "webgpu", maxBatchFrames: ceiling + 1 }),
        (error: unknown) => error instanceof InvalidInputError && error.message.includes(String(ceiling)),
      );
    });
  });
}
