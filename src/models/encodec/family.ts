/**
 * The EnCodec family as the rest of the toolkit will see it: a released checkpoint (a bare state
 * dict `<name>-<sha256[:8]>.th`, its name's checksum checked as upstream checks it) with an
 * optional config.json beside it, loaded into an EncodecModel; random-weight checkpoints of the
 * same format for tests and the benchmark.
 *
 * Not yet registered: FamilyName has no "encodec" while the family layer is reworked, so the
 * family's type here is TokenizerFamily with its own name; registering it is one line once that
 * name exists.
 *
 * By name: encodec_24khz, from upstream's download location, pinned by its full sha256 (another
 * public project's loader pins it; it agrees with the 8 hex digits upstream puts in the name).
 * encodec_48khz-7e698e3e.th has only that 8-digit prefix published, so no entry can verify a
 * download of it: it loads from a local file.
 */
import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { parseCheckpoint } from "../../checkpoint/parseCheckpoint.js";
import { readWholeFile } from "../../checkpoint/readWholeFile.js";
import { InvalidInputError, ModelConfigError } from "../../errors.js";
import { readConfigFile } from "../../family/configFile.js";
import { isFile } from "../../family/fileCheck.js";
import type { FamilyLoadOptions, FamilyModelSpec, ModelFiles, TokenizerFamily } from "../../family/types.js";
import { nodeBackend } from "../../runtime/nodeBackend.js";
import { checkChecksumName } from "./checksumName.js";
import type { EncodecLoadOptions, EncodecModel } from "./model.js";
import { openEncodec } from "./open.js";
import { writeRandomEncodec, type EncodecRelease } from "./randomModel.js";

/** The optional facts file beside a checkpoint. */
export const ENCODEC_CONFIG = "config.json";

/** A checkpoint's file name as upstream names EnCodec releases (the LM's encodec_lm_* excepted). */
function isEncodecCheckpointName(name: string): boolean {
  return /^encodec_.*\.th$/.test(name) && !name.startsWith("encodec_lm_");
}

/** The checkpoint (and config.json, when there is one) of a file or folder, or null when they are not EnCodec's. */
async function detect(path: string): Promise<ModelFiles | null> {
  let dir = path;
  let checkpoint: string | undefined;
  if (await isFile(path)) {
    if (!isEncodecCheckpointName(basename(path))) return null;
    dir = dirname(path);
    checkpoint = basename(path);
  } else {
    let names: string[];
    try {
      names = await readdir(path);
    } catch {
      return null;
    }
    const found = names.filter(isEncodecCheckpointName);
    if (found.length !== 1) return null; // none, or several: which one is meant is not for a guess
    checkpoint = found[0]!;
  }
  const files: Record<string, string> = { [checkpoint]: join(dir, checkpoint) };
  if (await isFile(join(dir, ENCODEC_CONFIG))) files[ENCODEC_CONFIG] = join(dir, ENCODEC_CONFIG);
  return files;
}

/** Loads the checkpoint (name checksum checked, tensors recognised and checked) and builds the graphs. */
export async function loadEncodec(files: ModelFiles, source: string, options: FamilyLoadOptions & EncodecLoadOptions = {}): Promise<EncodecModel> {
  const checkpointName = Object.keys(files).find((name) => name.endsWith(".th"));
  if (checkpointName === undefined) throw new InvalidInputError(`${source}: an EnCodec model needs its .th checkpoint`);
  const path = files[checkpointName]!;
  const bytes = await readWholeFile(path);
  checkChecksumName(path, bytes);
  const configPath = files[ENCODEC_CONFIG];
  const config = configPath === undefined
    ? undefined
    : { text: readConfigFile(configPath, (problem, cause) => new ModelConfigError(configPath, problem, cause === undefined ? {} : { cause })), name: configPath };
  const model = await openEncodec(await parseCheckpoint(bytes, path), config, source, options, nodeBackend);
  model.files = files;
  return model;
}

const models: readonly FamilyModelSpec[] = [
  {
    name: "encodec_24khz",
    description: "EnCodec 24 kHz mono (causal): 1.5/3/6/12/24 kbps → 2/4/8/16/32 rows of 1024 codes, 75 frames a second",
    files: [{
      file: "encodec_24khz-d7cc33bc.th",
      url: "https://dl.fbaipublicfiles.com/encodec/v0/encodec_24khz-d7cc33bc.th",
      sha256: "d7cc33bcf1aad7f2dad9836f36431530744abeace3ca033005e3290ed4fa47bf",
    }],
  },
];

/** TokenizerFamily under its own name, until FamilyName lists "encodec". */
export type EncodecFamily = Omit<TokenizerFamily, "name" | "load" | "writeRandomModel"> & {
  readonly name: "encodec";
  load(files: ModelFiles, source: string, options?: FamilyLoadOptions & EncodecLoadOptions): Promise<EncodecModel>;
  /** TokenizerFamily's, plus which release's layout (default encodec_24khz). */
  writeRandomModel(dir: string, options: { seed: number; size: "tiny" | "released"; release?: EncodecRelease }): Promise<ModelFiles>;
};

export const encodecFamily: EncodecFamily = {
  name: "encodec",
  description: "Meta's EnCodec: 24 kHz mono or 48 kHz stereo audio → up to 32 RVQ rows (bandwidth in kbps → rows), a scale per 1 s segment at 48 kHz; decodes to audio",
  models,
  byHand: [
    "encodec_48khz-7e698e3e.th from https://dl.fbaipublicfiles.com/encodec/v0/encodec_48khz-7e698e3e.th:",
    "  only its 8-digit sha256 prefix is published, so no name downloads it; pass the file as --model FILE",
  ],
  decodes: true,
  detect,
  load: loadEncodec,
  writeRandomModel: writeRandomEncodec,
};
