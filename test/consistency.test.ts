/**
 * One rule in one place: errors recognised across package copies, the batcher's default group
 * size as documented, one default for feature threads, verify's flags parsed as the others are.
 */
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { InvalidInputError, isTokenizerError, UsageError } from "../src/errors.js";
import { DynamicBatcher, GROUP_PASSES } from "../src/pipeline/dynamicBatcher.js";
import { defaultFeatureWorkers } from "../src/pipeline/featureWorkers.js";
import { defaultFeatureWorkers as serviceDefault } from "../src/serve/service.js";
import { parseVerifyArgs } from "../src/cli/verifyCommand.js";
import type { S3Tokenizer } from "../src/s3Tokenizer.js";

test("isTokenizerError recognises an error from another copy of the package, and nothing else", () => {
  // What a second copy's InvalidInputError looks like from here: another class, the same brand.
  class OtherCopyError extends Error {
    readonly code = "INVALID_INPUT";
    constructor(message: string) {
      super(message);
      Object.defineProperty(this, Symbol.for("s3tokenizer.error"), { value: true });
    }
  }
  assert.equal(isTokenizerError(new OtherCopyError("x")), true);
  assert.equal(isTokenizerError(new InvalidInputError("x")), true);
  assert.equal(isTokenizerError(Object.assign(new Error("x"), { code: "ENOENT" })), false);
  assert.equal(isTokenizerError(null), false);
  assert.equal(isTokenizerError("INVALID_INPUT"), false);
});

test("the batcher's default group is GROUP_PASSES x the tokenizer's frame budget, as documented", () => {
  const tokenizer = { passCost: 1234 } as unknown as S3Tokenizer;
  assert.equal(new DynamicBatcher(tokenizer).maxGroupFrames, 1234 * GROUP_PASSES);
  assert.equal(GROUP_PASSES, 4);
  assert.equal(new DynamicBatcher(tokenizer, { maxGroupFrames: 99 }).maxGroupFrames, 99);
});

test("one defaultFeatureWorkers serves the service and the corpus job", () => {
  assert.equal(serviceDefault, defaultFeatureWorkers);
  const cores = availableParallelism();
  assert.equal(defaultFeatureWorkers(), Math.max(1, Math.min(4, Math.floor(cores / 4))));
  assert.equal(defaultFeatureWorkers("corpus"), Math.max(1, cores - 1));
});

test("verify keeps the N of --device cuda:N and refuses a non-numeric --max_miss_rate", () => {
  const base = ["--model", "m.onnx", "--wav_scp", "wav.scp"];
  const args = parseVerifyArgs([...base, "--device", "cuda:3", "--max_miss_rate", "0.5"]);
  assert.equal(args.options.device, "cuda");
  assert.equal(args.options.deviceId, 3);
  assert.equal(args.maxMissRate, 0.005);
  for (const bad of ["abc", "", "-1", "101", "1e1", "NaN"]) {
    assert.throws(() => parseVerifyArgs([...base, `--max_miss_rate=${bad}`]), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /--max_miss_rate must be a percentage from 0 to 100/);
      return true;
    }, bad);
  }
});
