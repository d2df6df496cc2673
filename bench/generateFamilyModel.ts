/**
 * Child entry: `node generateFamilyModel.js KEY SEED DIR` writes the released-size model of the
 * benchmark's KEY (familyModels.ts: a registered family's own writeRandomModel; RepCodec over
 * HuBERT's writer; EnCodec's writer for the release encodec_24khz or encodec_48khz) with seeded
 * random weights into DIR, then a manifest (files.json: file name → path) last, so an interrupted
 * run never leaves a folder that looks complete. Prints the manifest.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ModelFiles } from "../src/family/types.js";
import { writeRandomEncodec } from "../src/models/encodec/randomModel.js";
import { writeRandomRepCodecHubert } from "../src/models/repcodec/speechEncoderRandomModel.js";
import { familyNamed } from "../src/registry/families.js";
import { FAMILY_MANIFEST, FAMILY_OF, isEncodecKey, isFamilyKey } from "./familyModels.js";

const [key, seedText, dir] = process.argv.slice(2);
if (!key || !seedText || !dir || !(isFamilyKey(key) || isEncodecKey(key))) {
  process.stderr.write("usage: generateFamilyModel.js KEY SEED DIR (KEY: one of bench/familyModels.ts's FAMILY_OF or ENCODEC_KEYS)\n");
  process.exit(2);
}

/** The writer of KEY's released-size model, or null when its family is not registered. */
function writerOf(name: string): ((out: string, seed: number) => Promise<ModelFiles>) | null {
  if (isEncodecKey(name)) return (out, seed) => writeRandomEncodec(out, { seed, size: "released", release: name });
  if (name === "repcodec_hubert") return async (out, seed) => writeRandomRepCodecHubert(out, seed, "released");
  const family = isFamilyKey(name) ? familyNamed(FAMILY_OF[name]) : undefined;
  return family ? (out, seed) => family.writeRandomModel(out, { seed, size: "released" }) : null;
}

const write = writerOf(key);
if (!write) {
  process.stderr.write(`the family of ${key} is not registered in src/registry/families.ts\n`);
  process.exit(1);
}
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const files = await write(dir, Number(seedText));
writeFileSync(join(dir, FAMILY_MANIFEST), JSON.stringify(files, null, 1) + "\n");
process.stdout.write(JSON.stringify(files) + "\n");
