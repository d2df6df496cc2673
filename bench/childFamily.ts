/**
 * Child entry for a family's peak-memory figure: `node childFamily.js --model DIR --wav_scp FILE --work DIR [--device D]`
 * loads the model through the family interface as the CLI does, encodes the list once ((a)) and decodes the codes
 * once ((d)), alone in its process, then prints one JSON line with the process's peak resident set
 * size (bench/peakRss.ts says which figure) and the two stages' seconds.
 */
import { parseArgs } from "node:util";
import { readWavScp } from "../src/audio/wavScp.js";
import { selectDevice } from "../src/runtime/session.js";
import { CliExtraction } from "./extractRun.js";
import { codesFromTokens, decodeCodes } from "./familyRun.js";
import { peakRss } from "./peakRss.js";

const { values } = parseArgs({
  options: { model: { type: "string" }, "wav_scp": { type: "string" }, work: { type: "string" }, device: { type: "string", default: "cpu" } },
});
if (!values.model || !values.wav_scp || !values.work) {
  process.stderr.write("usage: childFamily.js --model DIR --wav_scp FILE --work DIR [--device D]\n");
  process.exit(2);
}
const extraction = await CliExtraction.openFamily(values.model, selectDevice(values.device));
const model = extraction.tokenizer;
let encode_s: number;
let decode_s: number;
try {
  const encoded = await extraction.run(await readWavScp(values.wav_scp), values.work);
  encode_s = encoded.seconds;
  decode_s = model.decode ? await decodeCodes(model, codesFromTokens(encoded.tokens, model.codebooks)) : 0;
} finally {
  await extraction.dispose();
}
const peak = peakRss();
process.stdout.write(JSON.stringify({ peak_rss_mb: peak.mb, peak_rss_source: peak.source, encode_s, decode_s }) + "\n");
