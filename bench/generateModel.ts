/**
 * Child entry: `node generateModel.js KEY SEED OUT` writes the full-size random-weight model of
 * version KEY in the released layout to OUT. Written to a temporary name and renamed, so an
 * interrupted run never leaves a file that looks complete.
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { FULL_SIZE, randomWeights } from "../src/models/s3/randomWeights.js";
import { encodeReleasedLayout } from "../src/models/s3/releasedLayout.js";
import { isVersionKey } from "./benchModels.js";

const [key, seedText, out] = process.argv.slice(2);
if (!key || !isVersionKey(key) || !seedText || !out) {
  process.stderr.write(`usage: generateModel.js ${Object.keys(FULL_SIZE).join("|")} SEED OUT\n`);
  process.exit(2);
}
const temporary = `${out}.partial-${process.pid}`;
try {
  writeFileSync(temporary, encodeReleasedLayout(randomWeights(FULL_SIZE[key], Number(seedText))));
  renameSync(temporary, out);
} catch (error) {
  rmSync(temporary, { force: true });
  throw error;
}
