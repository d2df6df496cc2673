/**
 * Child entry for a family's peak-memory figure: `node childFamily.js --key KEY --model DIR --wav_scp FILE --work DIR [--device D]`
 * loads benchmark family KEY's model from DIR as the timed (a) does (familyModels.ts's openFamilyModel), encodes the list once ((a)) and decodes the codes
 * once ((d)), alone in its process, then prints one JSON line with the process's peak resident set
 * size (bench/peakRss.ts says which figure) and the two stages' seconds.
 */
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readWavScp } from "../src/audio/wavScp.js";
import type { ModelFiles } from "../src/family/types.js";
import { selectDevice } from "../src/runtime/session.js";
import { CliExtraction } from "./extractRun.js";
import { FAMILY_MANIFEST, isFamilyKey, openFamilyModel } from "./familyModels.js";
import { codesFromTokens, decodeCodes } from "./familyRun.js";
import { peakRss } from "./peakRss.js";

const { values } = parseArgs({
  options: { key: { type: "string" }, model: { type: "string" }, "wav_scp": { type: "string" }, work: { type: "string" }, device: { type: "string", default: "cpu" } },
});
if (!values.key || !isFamilyKey(values.key) || !values.model || !values.wav_scp || !values.work) {
  process.stderr.write("usage: childFamily.js --key KEY --model DIR --wav_scp FILE --work DIR [--device D]\n");
  process.exit(2);
}
const key = values.key;
const runtime = selectDevice(values.device);
const model = { dir: values.model, files: JSON.parse(readFileSync(join(values.model, FAMILY_MANIFEST), "utf8")) as ModelFiles };
const extraction = await CliExtraction.openModel(() => openFamilyModel(key, model, runtime), runtime.device);
const tokenizer = extraction.tokenizer;
let encode_s: number;
let decode_s: number;
try {
  const encoded = await extraction.run(await readWavScp(values.wav_scp), values.work);
  encode_s = encoded.seconds;
  decode_s = tokenizer.decode ? await decodeCodes(tokenizer, codesFromTokens(encoded.tokens, tokenizer.codebooks)) : 0;
} finally {
  await extraction.dispose();
}
const peak = peakRss();
process.stdout.write(JSON.stringify({ peak_rss_mb: peak.mb, peak_rss_source: peak.source, encode_s, decode_s }) + "\n");
