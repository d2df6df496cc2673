/**
 * Conformance against the upstream PyTorch reference, for every fixture model version:
 * tokens of all 16 kHz fixture utterances in one padded batch, batched vs one at a time, and
 * `verify` against the released-layout file run one utterance at a time.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { join } from "node:path";
import { readWavScp } from "../src/audio/wavScp.js";
import { logMelSpectrogram } from "../src/features/logMel.js";
import { padding } from "../src/features/padding.js";
import { S3Tokenizer } from "../src/s3Tokenizer.js";
import { compareTokens, summarize } from "../src/s3Verify/missRate.js";
import { verifyModel } from "../src/s3Verify/verifyModel.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { MODEL_NAMES, modelPath, referenceTokens, sixteenKilohertzUtterances } from "./support/conformance.js";

const fixtures = fixturesDir();
const MAX_MISS_RATE = 0.001;

for (const name of MODEL_NAMES) {
  describe(`conformance ${name}`, { skip: fixtures === null ? skipReason : false }, () => {
    test("one padded batch of every 16 kHz utterance matches the reference tokens", async (t) => {
      const utterances = await sixteenKilohertzUtterances(fixtures!);
      assert.ok(utterances.length >= 10, `expected the fixture set, found ${utterances.length} utterances`);
      const reference = referenceTokens(fixtures!, name);
      const tokenizer = await S3Tokenizer.load(modelPath(fixtures!, name), { maxBatchFrames: Infinity, maxBatchSize: Infinity, maxPaddingRatio: Infinity });
      try {
        const mels = utterances.map((u) => logMelSpectrogram(u.samples, tokenizer.info.dims.nMels));
        const batch = padding(mels); // [B, 128, Tmax]
        const result = await tokenizer.quantize(batch, batch.lengths);
        const comparisons = utterances.map((u, b) => {
          const row = result.codes.subarray(b * result.maxCodeFrames, b * result.maxCodeFrames + result.codeLengths[b]!);
          const expected = reference.single[u.key];
          assert.ok(expected, `no reference tokens for ${u.key}`);
          const comparison = compareTokens(expected, row);
          assert.equal(comparison.candidateLength, comparison.referenceLength, `code length of ${u.key}`);
          return comparison;
        });
        const total = summarize(comparisons);
        t.diagnostic(`${name}: ${total.misses}/${total.compared} tokens differ (${(100 * total.missRate).toFixed(4)}%)`);
        assert.ok(total.missRate <= MAX_MISS_RATE, `miss rate ${(100 * total.missRate).toFixed(4)}% over 0.1%`);
      } finally {
        await tokenizer.dispose();
      }
    });

    test("batched equals one utterance at a time", async (t) => {
      const utterances = await sixteenKilohertzUtterances(fixtures!);
      const tokenizer = await S3Tokenizer.load(modelPath(fixtures!, name));
      try {
        const mels = utterances.map((u) => logMelSpectrogram(u.samples, tokenizer.info.dims.nMels));
        const batched = await tokenizer.quantizeMels(mels);
        const comparisons = [];
        for (const [i, mel] of mels.entries()) {
          const [alone] = await tokenizer.quantizeMels([mel]);
          const comparison = compareTokens(alone!, batched[i]!);
          assert.equal(comparison.candidateLength, comparison.referenceLength, `length of ${utterances[i]!.key}`);
          comparisons.push(comparison);
        }
        const total = summarize(comparisons);
        t.diagnostic(`${name}: ${total.misses}/${total.compared} differ between batched and single`);
        assert.ok(total.missRate <= MAX_MISS_RATE);
      } finally {
        await tokenizer.dispose();
      }
    });

    test("fast mode (int8) keeps every length and most tokens", async (t) => {
      const utterances = await sixteenKilohertzUtterances(fixtures!);
      const exact = await S3Tokenizer.load(modelPath(fixtures!, name));
      const fast = await S3Tokenizer.load(modelPath(fixtures!, name), { mode: "fast" });
      try {
        const mels = utterances.map((u) => logMelSpectrogram(u.samples, exact.info.dims.nMels));
        const [a, b] = [await exact.quantizeMels(mels), await fast.quantizeMels(mels)];
        const total = summarize(a.map((row, i) => {
          assert.equal(b[i]!.length, row.length, `length of ${utterances[i]!.key}`);
          return compareTokens(row, b[i]!);
        }));
        t.diagnostic(`${name}: fast mode differs from exact in ${(100 * total.missRate).toFixed(2)}% of tokens`);
        // Random-weight fixtures put many FSQ values near a rounding edge; real models flip fewer.
        // Only an upper bound: a fast mode that matches exact more often is better, not wrong.
        assert.ok(total.missRate < 0.2, `fast-mode miss rate ${total.missRate}`);
      } finally {
        await exact.dispose();
        await fast.dispose();
      }
    });

    test("verify against the released-layout file run one utterance at a time", async (t) => {
      const entries = await readWavScp(join(fixtures!, "audio", "wav.scp"));
      const report = await verifyModel(modelPath(fixtures!, name), entries);
      t.diagnostic(`${name}: ${report.utterances.length} verified, ${report.skipped.length} unreadable, ` +
        `miss rate ${(100 * report.total.missRate).toFixed(4)}%`);
      assert.ok(report.utterances.length >= 7, "the 16 kHz WAVs of the fixture list are verified");
      assert.equal(report.total.lengthMismatches, 0);
      assert.ok(report.total.missRate <= MAX_MISS_RATE);
    });
  });
}
