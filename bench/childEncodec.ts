/**
 * Child entry for EnCodec's peak-memory figure: `node childEncodec.js --model DIR --list FILE`
 * loads the model through the EnCodec family, reads the utterances (FILE: one float32 [C, L]
 * .npy a line), encodes them once ((a)) and decodes the codes once ((d)), alone in its process,
 * then prints one JSON line with the process's peak resident set size (bench/peakRss.ts) and the
 * two stages' seconds.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { encodecFamily } from "../src/models/encodec/family.js";
import { loadEncodec } from "../src/models/encodec/loadFiles.js";
import { detectLocal } from "../src/family/loadLocal.js";
import { readEncodecAudio } from "./encodecWorkload.js";
import { decodeAll, encodeAll } from "./encodecRun.js";
import { peakRss } from "./peakRss.js";

const { values } = parseArgs({ options: { model: { type: "string" }, list: { type: "string" } } });
if (!values.model || !values.list) {
  process.stderr.write("usage: childEncodec.js --model DIR --list FILE\n");
  process.exit(2);
}
const files = await detectLocal(encodecFamily, values.model);
if (!files) throw new Error(`${values.model}: no EnCodec checkpoint there`);
const model = await loadEncodec(files, values.model);
let encode_s: number;
let decode_s: number;
try {
  const paths = readFileSync(values.list, "utf8").split("\n").filter(Boolean);
  const inputs = paths.map((path) => readEncodecAudio(path));
  const encoded = await encodeAll(model, inputs);
  encode_s = encoded.seconds;
  decode_s = await decodeAll(model, encoded.codes);
} finally {
  await model.dispose();
}
const peak = peakRss();
process.stdout.write(JSON.stringify({ peak_rss_mb: peak.mb, peak_rss_source: peak.source, encode_s, decode_s }) + "\n");
