/**
 * S3Tokenizer as a tokenizer family: released ONNX files (CosyVoice v1, v1 25 Hz, v2, v3), log-mel
 * front end, one row of tokens, no decoder. Its four releases are the hub's built-in single-file
 * entries (so existing caches keep their paths), hence no `models` of its own here.
 */
import { readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InvalidInputError } from "../../errors.js";
import { SINGLE_FILE_NAME } from "../../hub/registry.js";
import type { ModelFiles, TokenizerFamily } from "../../family/types.js";
import { FULL_SIZE, randomWeights, type RandomModelShape } from "./randomWeights.js";
import { encodeReleasedLayout } from "./releasedLayout.js";
import { S3Tokenizer } from "./tokenizer.js";
import { S3_OPTIONS } from "./options.js";

/** The key of an S3 model's one file in ModelFiles: the hub's single-file name. */
const S3_MODEL_FILE = SINGLE_FILE_NAME;

/** The shared family suite's model: v2's structure at a width a test builds in a moment. */
const TINY: RandomModelShape = { version: "v2", nMels: 128, width: 64, heads: 1, layers: 1, conv1Stride: 2 };

function isOnnx(name: string): boolean {
  return name.toLowerCase().endsWith(".onnx");
}

export const s3Family: TokenizerFamily = {
  name: "s3",
  title: "S3",
  options: S3_OPTIONS,
  batching: { unitName: "mel frames (100 a second)", defaults: "3000 on cpu, 96000 on cuda, on webgpu what a 128 MiB binding holds (12850 v1, 25700 25 Hz)" },
  description: "S3Tokenizer (CosyVoice v1 50/25 Hz, v2, v3): released ONNX files, log-mel front end, 1 row of tokens",
  models: [],
  decodes: false,

  /**
   * An .onnx file, or a folder holding exactly one, is an S3 release (its structure is checked
   * when it loads).
   */
  async detect(path: string): Promise<ModelFiles | null> {
    const stats = await stat(path).catch(() => null);
    if (stats?.isFile()) return isOnnx(path) ? { [S3_MODEL_FILE]: path } : null;
    if (!stats?.isDirectory()) return null;
    const onnx = (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile() && isOnnx(e.name));
    return onnx.length === 1 ? { [S3_MODEL_FILE]: join(path, onnx[0]!.name) } : null;
  },

  async load(files, source, options) {
    const path = files[S3_MODEL_FILE];
    if (path === undefined) throw new InvalidInputError(`${source}: an S3 model is one file, given as "${S3_MODEL_FILE}" in its files`);
    return S3Tokenizer.loadFile(path, source, options);
  },

  async writeRandomModel(dir, { seed, size }) {
    const path = join(dir, S3_MODEL_FILE);
    await writeFile(path, encodeReleasedLayout(randomWeights(size === "tiny" ? TINY : FULL_SIZE.v2, seed)));
    return { [S3_MODEL_FILE]: path };
  },
};
