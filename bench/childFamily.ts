/**
 * Child entry for a family's peak-memory figure: `node childFamily.js --model DIR --wav_scp FILE [--device D]`
 * loads the model through the family interface, encodes the list once ((a)) and decodes the codes
 * once ((d)), alone in its process, then prints one JSON line with the process's peak resident set
 * size (bench/peakRss.ts says which figure) and the two stages' seconds.
 */
import { parseArgs } from "node:util";
import { readWavScp } from "../src/audio/wavScp.js";
import { load } from "../src/family/load.js";
import { selectDevice } from "../src/runtime/session.js";
import { decodeCodes, encodeEntries } from "./familyRun.js";
import { peakRss } from "./peakRss.js";

const { values } = parseArgs({
  options: { model: { type: "string" }, "wav_scp": { type: "string" }, device: { type: "string", default: "cpu" } },
});
if (!values.model || !values.wav_scp) {
  process.stderr.write("usage: childFamily.js --model DIR --wav_scp FILE [--device D]\n");
  process.exit(2);
}
const model = await load(values.model, selectDevice(values.device));
let encode_s: number;
let decode_s: number;
try {
  const encoded = await encodeEntries(model, await readWavScp(values.wav_scp));
  encode_s = encoded.seconds;
  decode_s = model.decode ? await decodeCodes(model, [...encoded.codes.values()]) : 0;
} finally {
  await model.dispose();
}
const peak = peakRss();
process.stdout.write(JSON.stringify({ peak_rss_mb: peak.mb, peak_rss_source: peak.source, encode_s, decode_s }) + "\n");
