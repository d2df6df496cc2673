/** --rank and --world_size take plain decimal integers in range, with messages that say what is wrong. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../src/errors.js";
import { MAX_WORLD_SIZE, resolvePlacement } from "../src/extract/rank.js";
import { parseFlags } from "../src/cli/args.js";

function refused(flags: { rank?: string; worldSize?: string }, problem: RegExp): void {
  assert.throws(() => resolvePlacement(flags, {}), (e: unknown) => {
    assert.ok(e instanceof UsageError, String(e));
    assert.match(e.message, problem);
    return true;
  });
}

test("hex, exponent, empty, spaced and signed ranks are refused", () => {
  refused({ rank: "0x1", worldSize: "2" }, /--rank must be a decimal integer .*"0x1" \(it is not a plain decimal number\)/);
  refused({ rank: "1e0", worldSize: "2" }, /"1e0"/);
  refused({ rank: "", worldSize: "2" }, /--rank .*"" \(it is empty\)/);
  refused({ rank: " 1", worldSize: "2" }, /" 1"/);
  refused({ rank: "-1", worldSize: "2" }, /"-1" \(it is negative\)/);
  refused({ rank: "1.0", worldSize: "2" }, /"1.0"/);
});

test("a world size beyond the limit is refused instead of naming a rounded part file", () => {
  refused({ rank: "0", worldSize: "99999999999999999999" }, /--world_size .*too large/);
  refused({ rank: "0", worldSize: String(MAX_WORLD_SIZE + 1) }, /too large/);
  assert.equal(resolvePlacement({ rank: "3", worldSize: String(MAX_WORLD_SIZE) }, {}).worldSize, MAX_WORLD_SIZE);
});

test("launcher variables are held to the same rule", () => {
  assert.throws(() => resolvePlacement({}, { RANK: "0x1", WORLD_SIZE: "4" }), /torchrun rank must be a decimal integer/);
});

test("--rank -1 reaches the rank check instead of a parser puzzle", () => {
  const { values } = parseFlags(["--rank", "-1", "--world_size", "2"], { rank: { type: "string" }, "world-size": { type: "string" } });
  assert.equal(values.rank, "-1");
  refused({ rank: values.rank as string, worldSize: "2" }, /negative/);
});
