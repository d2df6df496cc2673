/** The FunCodec family's public names, for src/index.ts (Node). */
export { funcodecFamily } from "./family.js";
export { loadFunCodec } from "./loadFiles.js";
export {
  FunCodecModel,
  FUNCODEC_MAX_SECONDS,
  type EncodedUtterance,
  type FunCodecDecodeOptions,
  type FunCodecEncodeOptions,
  type FunCodecLoadOptions,
} from "./model.js";
export { bitsPerRow, quantizersForBitWidth, rowsForBitWidth } from "./bitWidth.js";
export { parseFunCodecConfig, type FunCodecConfig } from "./config.js";
export { FunCodecAudioTooLongError } from "./errors.js";
export { writeRandomFunCodec } from "./randomModel.node.js";
