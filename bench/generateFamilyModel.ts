/**
 * Child entry: `node generateFamilyModel.js FAMILY SEED DIR` writes FAMILY's released-size model
 * with seeded random weights (the family's own writeRandomModel) into DIR, then a manifest
 * (files.json: file name → path) last, so an interrupted run never leaves a folder that looks
 * complete. Prints the manifest.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { familyNamed } from "../src/registry/families.js";

const MANIFEST = "files.json"; // familyModels.ts reads it

const [name, seedText, dir] = process.argv.slice(2);
if (!name || !seedText || !dir) {
  process.stderr.write("usage: generateFamilyModel.js FAMILY SEED DIR\n");
  process.exit(2);
}
const family = familyNamed(name);
if (!family) {
  process.stderr.write(`the ${name} family is not registered in src/family/families.ts\n`);
  process.exit(1);
}
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const files = await family.writeRandomModel(dir, { seed: Number(seedText), size: "released" });
writeFileSync(join(dir, MANIFEST), JSON.stringify(files, null, 1) + "\n");
process.stdout.write(JSON.stringify(files) + "\n");
