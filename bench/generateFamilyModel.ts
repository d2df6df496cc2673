/**
 * Child entry: `node generateFamilyModel.js FAMILY SEED DIR` writes FAMILY's released-size model
 * (or, for FAMILY encodec_24khz / encodec_48khz, that EnCodec release's)
 * with seeded random weights (the family's own writeRandomModel) into DIR, then a manifest
 * (files.json: file name → path) last, so an interrupted run never leaves a folder that looks
 * complete. Prints the manifest.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { familyNamed } from "../src/family/families.js";
import type { ModelFiles } from "../src/family/types.js";
import { encodecFamily } from "../src/models/encodec/family.js";
import { isEncodecKey } from "./familyModels.js";

const MANIFEST = "files.json"; // familyModels.ts reads it

const [name, seedText, dir] = process.argv.slice(2);
if (!name || !seedText || !dir) {
  process.stderr.write("usage: generateFamilyModel.js FAMILY SEED DIR\n");
  process.exit(2);
}
/** A registered family's writer, or EnCodec's for one of its releases (not registered yet; familyModels.ts). */
function writerOf(name: string): ((dir: string, seed: number) => Promise<ModelFiles>) | null {
  if (isEncodecKey(name)) return (out, seed) => encodecFamily.writeRandomModel(out, { seed, size: "released", release: name });
  const family = familyNamed(name);
  return family ? (out, seed) => family.writeRandomModel(out, { seed, size: "released" }) : null;
}

const write = writerOf(name);
if (!write) {
  process.stderr.write(`the ${name} family is not registered in src/family/families.ts\n`);
  process.exit(1);
}
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const files = await write(dir, Number(seedText));
writeFileSync(join(dir, MANIFEST), JSON.stringify(files, null, 1) + "\n");
process.stdout.write(JSON.stringify(files) + "\n");
