/** Public API of the s3tokenizer package (re-exports only). */
export { S3Tokenizer } from "./s3Tokenizer.js";
export type { AudioInput, MelBatch, QuantizeResult, TokenizerOptions } from "./s3Tokenizer.js";
export type { ModelInfo } from "./models/s3/modelFile.js";
export { buildBatchedModel } from "./models/s3/modelFile.js";
export { logMelSpectrogram } from "./features/logMel.js";
export type { MelSpectrogram } from "./features/logMel.js";
export { padding } from "./features/padding.js";
export type { PaddedBatch } from "./features/padding.js";
export { melFilters } from "./features/melFilters.js";
export { loadAudio, loadAudioBytes } from "./audio/loadAudio.js";
export { audioFormatOf, SPEECH_16K_MONO, type AudioFormat, type MixToMono } from "./audio/format.js";
export { decodeAudioBytes, decodeAudioFile } from "./audio/decode.js";
export type { DecodedAudio } from "./audio/decode.js";
export { resample, StreamingResampler } from "./audio/resample.js";
export { readWav, parseWav } from "./audio/wav.js";
export { readWavScp, parseWavScp } from "./audio/wavScp.js";
export type { ScpEntry } from "./audio/wavScp.js";
export { LONG_AUDIO_COMPAT_VALUES, mergeWindowTokens, planSegments, type LongAudioCompat } from "./models/s3/windows.js";
export type { Device, RuntimeOptions } from "./runtime/session.js";
export { verifyModel } from "./s3Verify/verifyModel.js";
export type { VerifyReport } from "./s3Verify/verifyModel.js";
export { compareTokens } from "./s3Verify/missRate.js";
export type { ModelDims, ModelVersion } from "./models/s3/weights.js";
export * from "./errors.js";
export { resolveModel, resolveModelFile } from "./hub/resolve.js";
export type { ResolvedModel } from "./hub/resolve.js";
export { listModels } from "./hub/listModels.js";
export type { ModelListing } from "./hub/listModels.js";
export type { CacheState } from "./hub/cachedModel.js";
export type { ModelEntry } from "./hub/registry.js";
export { BUILT_IN_NAMES, DEFAULT_ENDPOINT } from "./hub/registry.js";
export type { DownloadOptions, HubOptions } from "./hub/options.js";
export { defaultCacheDir } from "./hub/cacheDir.js";
export { loadBatchedModel } from "./s3Tokenizer.js";
export type { BatchedModelSource } from "./models/s3/convertedCache.js";
export { BUILDER_VERSION } from "./models/builderVersion.js";
export { DynamicBatcher, QueueFullError, RequestCancelledError } from "./pipeline/dynamicBatcher.js";
export type { DynamicBatcherOptions, GroupListener } from "./pipeline/dynamicBatcher.js";
export { TokenizerService, defaultFeatureWorkers } from "./serve/service.js";
export type { DetokenizeResult, DropStage, TokenizeBytesOptions, TokenizeBytesResult, TokenizerServiceOptions } from "./serve/service.js";
export type { ServiceEncodeOptions } from "./serve/encodeQuery.js";
export type { RawPcmFormat, RawPcmSpec } from "./serve/rawPcm.js";
export { AudioTooLongError, BodyTooLargeError, ClientClosedError, DeadlineExceededError, NoDecoderError, UnsupportedAudioFormatError } from "./serve/errors.js";
export type { BatchEngine } from "./pipeline/dynamicBatcher.js";
// Every tokenizer family behind one interface.
export { load, detectFamily, familyRegistryEntries } from "./registry/load.js";
export { FAMILIES, familyNamed } from "./registry/families.js";
export { s3Family } from "./models/s3/family.js";
export type {
  Codes,
  DecodeOptions,
  EncodeOptions,
  FamilyFacts,
  FamilyLoadOptions,
  FamilyModelSpec,
  FamilyName,
  FeatureFrontEnd,
  FrontEndSpec,
  ModelFiles,
  ModelFileSpec,
  TokenizerModel,
  SpeechTokenizerModel,
  TokenizerFamily,
} from "./family/types.js";
export { cachedModelFiles, registryEntry, resolveEntryFiles } from "./hub/resolve.js";
export type { ResolvedModelFiles } from "./hub/resolve.js";
export { familyEntries, SINGLE_FILE_NAME } from "./hub/registry.js";
// Each family's own entry points (the README's library examples use them).
export { speechTokenizerFamily } from "./models/speechtokenizer/family.js";
export { funcodecFamily, loadFunCodec, FunCodecModel, FunCodecAudioTooLongError } from "./models/funcodec/index.js";
export type { FunCodecDecodeOptions, FunCodecEncodeOptions, FunCodecLoadOptions } from "./models/funcodec/index.js";
export { formatCodecsLine, formatCodecsText, parseCodecsLine, parseCodecsText, type CodecsEntry } from "./parts/codecsText.js";
export { repcodecFamily } from "./models/repcodec/family.js";
export { loadRepCodec } from "./models/repcodec/load.js";
export type { RepCodecLoadOptions } from "./models/repcodec/load.js";
export { RepCodecModel } from "./models/repcodec/model.js";
export type { RepCodecOptions } from "./models/repcodec/model.js";
export { RepCodecWhisperModel } from "./models/repcodec/whisperRepCodec.js";
export type { RepCodecWhisperFiles, RepCodecWhisperOptions } from "./models/repcodec/whisperRepCodec.js";
export { RepCodecModelError } from "./models/repcodec/errors.js";
export { openRepCodecSpeechEncoder, type RepCodecSpeechEncoderFiles, type RepCodecSpeechEncoderOptions } from "./models/repcodec/speechEncoderRepCodec.js";
export { RepCodecSpeechEncoderModel } from "./models/repcodec/speechEncoderModel.js";
export { FeatureDumpWriter, shardRange } from "./models/repcodec/dumpWriter.js";
export { openSpeechEncoder, SpeechEncoderFeatureExtractor, SpeechEncoderModelError, UnsupportedSpeechEncoderError, type SpeechEncoderOptions } from "./models/speechEncoders/index.js";
export { kmeansFamily, type KMeansFamilyLoadOptions } from "./models/kmeans/family.js";
export { KMeansModelError, KMeansQuantizer, dedupUnits, openKMeansQuantizer, parseKMeansModel } from "./models/kmeans/index.js";
export { KMeansUnitsModel } from "./models/kmeans/model.js";
export { encodecFamily, loadEncodec, EncodecModel, compressEcdc, decompressEcdc, readEcdc, writeEcdc, rowsForBandwidth } from "./models/encodec/index.js";
export { EcdcFormatError, EcdcLanguageModelError, EncodecBandwidthError, EncodecChecksumPrefixError, NotEncodecError } from "./models/encodec/index.js";
export type { EncodecCodes, EncodecEncodeOptions, EncodecLoadOptions, EncodecSegment } from "./models/encodec/index.js";
export { BodyTooSlowError } from "./serve/bodyPace.js";
