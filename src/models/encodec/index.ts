/** The EnCodec family's public names, for src/index.ts (Node). */
export { encodecFamily, ENCODEC_CONFIG } from "./family.js";
export { loadEncodec } from "./loadFiles.js";
export { EncodecModel, type EncodecCodes, type EncodecDecodeInput, type EncodecEncodeOptions, type EncodecLoadOptions, type EncodecSegment } from "./model.js";
export { RELEASE_24KHZ, RELEASE_48KHZ, type EncodecConfig, type EncodecFacts } from "./config.js";
export { rowsForBandwidth } from "./bandwidth.js";
export { compressEcdc, decompressEcdc } from "./ecdc.js";
export { readEcdc, writeEcdc, ecdcSegmentFrames } from "./ecdcFile.js";
export { decodeEcdcHeader, encodeEcdcHeader, type EcdcMetadata } from "./ecdcHeader.js";
export { EcdcFormatError, EcdcLanguageModelError, EncodecBandwidthError, EncodecChecksumPrefixError, NotEncodecError } from "./errors.js";
