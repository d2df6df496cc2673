/** FunCodec's CLI flags: --bit_width / --n_q as encode options, and --rescale as upstream's save_audio. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { integerFlag, parseFlags } from "../src/cli/args.js";
import { familyEncodeOptions, familyFlagTable, givenFamilyOptions } from "../src/cli/familyFlags.js";
import { rescaleToPeak } from "../src/decode/rescale.js";
import { UsageError } from "../src/errors.js";

/** The extraction's encode options from its flags: --n_q (every family's) and the families' own. */
function flags(...argv: string[]): Record<string, unknown> {
  const { values } = parseFlags(argv, { "n-q": { type: "string" }, ...familyFlagTable("extract") });
  const rows = integerFlag(values, "n-q");
  return { ...(rows === undefined ? {} : { codebooks: rows }), ...familyEncodeOptions(givenFamilyOptions(values, "extract")) };
}

test("--bit_width and --n_q become encode options; both at once, or non-integers, are usage errors", () => {
  assert.deepEqual(flags("--bit_width", "2000"), { bitWidth: 2000 });
  assert.deepEqual(flags("--n-q", "8"), { codebooks: 8 });
  assert.deepEqual(flags(), {});
  assert.throws(() => flags("--bit_width", "2000", "--n_q", "8"), UsageError);
  assert.throws(() => flags("--bit_width", "2k"), UsageError);
  assert.throws(() => flags("--n_q", "0"), UsageError);
});

test("--rescale scales to a 0.99 peak, never up", () => {
  const loud = rescaleToPeak(Float32Array.from([0.5, -2, 1]));
  assert.deepEqual(Array.from(loud), [0.5, -2, 1].map((v) => Math.fround(v * Math.fround(0.99 / 2))));
  assert.deepEqual(Array.from(rescaleToPeak(Float32Array.from([0.1, -0.2]))), [0.1, -0.2].map(Math.fround));
  assert.deepEqual(Array.from(rescaleToPeak(new Float32Array(3))), [0, 0, 0]);
});
