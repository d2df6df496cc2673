/**
 * The browser core the page runs on. The page's bundle keeps this import external and loads the
 * library bundle (dist/web/s3tokenizer-web.js) beside it at run time (see src/webpage/buildPage.ts),
 * so the page's own code stays small and the library is the one `npm run build:web` ships.
 */
export { audioFormatOf, codesJsonLine, configureRuntime, decodeAudioForModel, decodeAudioToMono16k, decodeToWav, listWebFamilies, listWebModels, loadWebModel, SPEECH_16K_MONO, tokenize } from "../../src/web/index.js";
export type { AudioFormat, Codes, FamilyName, FetchProgress, TokenizerModel } from "../../src/web/index.js";
