/** The batch budget is one flag in the extraction and the service; its old name still works, and help says it is deprecated. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BATCH_BUDGET_FLAGS, batchBudgetFlag, parseFlags } from "../src/cli/args.js";
import { EXTRACT_HELP } from "../src/cli/extractHelp.js";
import { parseServeOptions, SERVE_HELP } from "../src/cli/serveCommand.js";
import { UsageError } from "../src/errors.js";

const budget = (...argv: string[]) => batchBudgetFlag(parseFlags(argv, BATCH_BUDGET_FLAGS).values);

test("--max_batch_frames and its old name --max_frames give the same budget; both at once is a usage error", () => {
  assert.equal(budget("--max_batch_frames", "6000"), 6000);
  assert.equal(budget("--max_frames", "6000"), 6000);
  assert.equal(budget(), undefined);
  assert.throws(() => budget("--max_frames", "10", "--max_batch_frames", "20"), UsageError);
  assert.throws(() => budget("--max_frames", "0"), UsageError);
  assert.equal(parseServeOptions(["--model", "m", "--max_frames", "700"]).maxBatchFrames, 700);
});

test("help names the one flag, its deprecated alias, and each family's unit", () => {
  for (const help of [EXTRACT_HELP, SERVE_HELP]) {
    assert.match(help, /--max_batch_frames F/);
    assert.match(help, /--max_frames F is a deprecated name of this flag/);
    assert.match(help, /mel frames/);
    assert.match(help, /samples/);
  }
});
