/**
 * The browser entry of the package (`s3tokenizer/web`): every module reachable from here is free
 * of Node modules (the web bundle's build fails otherwise), and the models run on
 * onnxruntime-web. A page: configureRuntime once, loadWebModel, decodeAudioForModel (to the
 * model's rate and channels), tokenize, codesJsonLine / decodeToWav.
 */
export { configureRuntime, configuredDevice, setWasmPaths, wasmThreads, webGpuAvailable, webBackend, type WebDevice, type WebRuntimeOptions } from "./runtime.js";
export { listWebFamilies, listWebModels, loadWebModel, WEB_FAMILIES, type WebLoadOptions, type WebModelInfo, type WebModelSource } from "./models.js";
export {
  clearModelCache,
  fetchModelFiles,
  MODEL_CACHE_NAME,
  sha256Hex,
  type FetchModelOptions,
  type FetchProgress,
  type ModelBytes,
  type WebFileSpec,
} from "./modelStore.js";
export { decodeAudioForModel, decodeAudioToMono16k, WEB_AUDIO_FORMATS } from "./audio.js";
export { codesJsonLine, decodeToWav, tokenize } from "./output.js";
export { audioFormatOf, SPEECH_16K_MONO, type AudioFormat, type MixToMono } from "../audio/format.js";
export * from "../errors.js";
export type { Codes, FamilyName, SpeechTokenizerModel, TokenizerModel } from "../family/types.js";
