/**
 * Child entry: `node generateFamilyModel.js KEY SEED DIR` writes the released-size model of the
 * benchmark's family KEY (familyModels.ts) with seeded random weights into DIR (a registered
 * family's own writeRandomModel; RepCodec over HuBERT's writer, which no family registers yet),
 * then a manifest (files.json: file name → path) last, so an interrupted run never leaves a folder
 * that looks complete. Prints the manifest.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { familyNamed } from "../src/registry/families.js";
import { writeRandomRepCodecHubert } from "../src/models/repcodec/speechEncoderRandomModel.js";
import { FAMILY_MANIFEST, FAMILY_OF, isFamilyKey } from "./familyModels.js";

const [key, seedText, dir] = process.argv.slice(2);
if (!key || !seedText || !dir || !isFamilyKey(key)) {
  process.stderr.write("usage: generateFamilyModel.js KEY SEED DIR (KEY: one of bench/familyModels.ts's FAMILY_OF)\n");
  process.exit(2);
}
const family = familyNamed(FAMILY_OF[key]);
if (!family) {
  process.stderr.write(`the ${FAMILY_OF[key]} family is not registered in src/family/families.ts\n`);
  process.exit(1);
}
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const seed = Number(seedText);
const files = key === "repcodec_hubert" ? writeRandomRepCodecHubert(dir, seed, "released") : await family.writeRandomModel(dir, { seed, size: "released" });
writeFileSync(join(dir, FAMILY_MANIFEST), JSON.stringify(files, null, 1) + "\n");
process.stdout.write(JSON.stringify(files) + "\n");
