/**
 * S3Tokenizer as a tokenizer family: released ONNX files (CosyVoice v1, v1 25 Hz, v2, v3), log-mel
 * front end, one row of tokens, no decoder. Its four releases are the hub's built-in single-file
 * entries (so existing caches keep their paths), hence no `models` of its own here.
 */
import { namesEnding } from "../../family/modelSource.js";
import type { TokenizerFamily } from "../../family/types.js";
import type { TokenizerOptions } from "./batchedTokenizer.js";
import { S3_OPTIONS } from "./options.js";

function isOnnx(name: string): boolean {
  return name.toLowerCase().endsWith(".onnx");
}

export const s3Family: TokenizerFamily = {
  name: "s3",
  title: "S3Tokenizer",
  options: S3_OPTIONS,
  batching: { unitName: "mel frames (100 a second)", defaults: "3000 on cpu, 96000 on cuda, on webgpu what a 128 MiB binding holds (12850 v1, 25700 25 Hz)" },
  description: "S3Tokenizer (CosyVoice v1 50/25 Hz, v2, v3): released ONNX files, log-mel front end, 1 row of tokens",
  models: [],
  decodes: false,

  /**
   * An .onnx file, or a source holding exactly one, is an S3 release (its structure is checked
   * when it loads).
   */
  async detect(source) {
    if (source.chosen !== undefined) return isOnnx(source.chosen) ? [source.chosen] : null;
    const onnx = namesEnding(source, ".onnx");
    return onnx.length === 1 ? onnx : null;
  },

  async open(source, familyOptions, context) {
    // The family layer carries longAudioCompat as a string; longAudioCompatOf checks it is a known plan.
    const options = familyOptions as TokenizerOptions;
    const [name] = (await s3Family.detect(source)) ?? [source.names[0] ?? "model.onnx"];
    const path = source.localPath?.(name!);
    // The model code loads when a model opens: a command that only lists families or parses flags stays quick.
    const { S3BatchedTokenizer } = await import("./batchedTokenizer.js");
    if (path !== undefined) {
      // On disk: the converted graph from the loader's cache, opened by path (weights mapped).
      return S3BatchedTokenizer.openReleasedFile(path, source.label, context.backend, context.derivedFiles, options);
    }
    // Bytes (a page): handed over once, so the released copy goes as soon as the session holds its own.
    let held: Uint8Array | undefined = await source.read(name!);
    const take = (): Uint8Array => {
      const bytes = held!;
      held = undefined;
      return bytes;
    };
    return S3BatchedTokenizer.openReleasedBytes(take, source.label, context.backend, options);
  },

  writeRandomModel: async (dir, options) => (await import("./randomModel.node.js")).writeRandomS3(dir, options),
};
