/**
 * Which model made a codes file: a part file of an extraction has its provenance record beside it
 * (`provenance_R_of_W.json`, or the older `part_R_of_W.provenance.json`). Codes decoded by another
 * model than the one that made them give noise with exit 0, so a record naming another family or
 * other model files (sha256) is refused before any output, unless the caller overrides it.
 * Files without a record (a merged file, codecs.txt) are not checked here; every line's rows and
 * code range are checked against the decoding model whatever the record says.
 */
import { CodesModelMismatchError } from "../errors.js";
import { describeProvenance, modelFilesSha256, readPartProvenance, type Provenance } from "../extract/provenance.js";
import type { TokenizerModel } from "../family/types.js";

/** A codes file whose record names another model than the decoding one. */
export interface CodesModelMismatch {
  file: string;
  record: Provenance;
}

/**
 * Records beside `files` that name another model than `model`; an unreadable record is an
 * InvalidInputError. `cacheDir`: the hub cache that keeps the model files' digests (modelFilesSha256).
 */
export async function codesModelMismatches(model: TokenizerModel, files: readonly string[], cacheDir?: string): Promise<CodesModelMismatch[]> {
  const mismatches: CodesModelMismatch[] = [];
  let sha256: string | undefined;
  for (const file of files) {
    const record = readPartProvenance(file);
    if (record === null) continue;
    sha256 ??= await modelFilesSha256(model.files, cacheDir);
    if (record.family !== model.family || record.sha256 !== sha256) mismatches.push({ file, record });
  }
  return mismatches;
}

/** The decoding model in words, as a record describes the encoding one. */
export async function describeDecodingModel(model: TokenizerModel, cacheDir?: string): Promise<string> {
  const sha256 = await modelFilesSha256(model.files, cacheDir);
  return `model ${model.source} (${model.family}, sha256 ${sha256.slice(0, 12)}…)`;
}

/**
 * Refuses (CodesModelMismatchError, naming both models) codes made by another model; with
 * `allowMismatch` each mismatch is passed to `warn` instead.
 */
export async function checkCodesModel(
  model: TokenizerModel,
  files: readonly string[],
  allowMismatch: boolean,
  warn: (message: string) => void,
  cacheDir?: string,
): Promise<void> {
  const mismatches = await codesModelMismatches(model, files, cacheDir);
  if (mismatches.length === 0) return;
  const decoding = await describeDecodingModel(model, cacheDir);
  for (const { file, record } of mismatches) {
    const made = describeProvenance(record);
    if (!allowMismatch) {
      throw new CodesModelMismatchError(file, made, decoding, "decode them with that model, or pass --allow_model_mismatch (allowModelMismatch) to decode them anyway");
    }
    warn(`${file}: these codes were made by ${made}, decoding them with ${decoding} as --allow_model_mismatch asks`);
  }
}
