/** HuBERT and data2vec-audio feature encoders from fairseq checkpoints (library entry points). */
export { speechEncoderConfig, parseConvLayers, type SpeechEncoderConfig, type ConvLayerSpec, type PositionalConvSpec } from "./config.js";
export { SpeechEncoderModelError, UnsupportedSpeechEncoderError } from "./errors.js";
export { SpeechEncoderFeatureExtractor, speechEncoderGraph, speechEncoderGraphOptions, type SpeechEncoderOptions } from "./extractor.js";
export { buildSpeechEncoderGraph, SPEECH_ENCODER_IO, type SpeechEncoderGraphOptions } from "./graph.js";
export { openSpeechEncoder } from "./open.js";
export { chunkPieces, DEFAULT_MAX_CHUNK, frontEndFrames, layerNormWaveform, minimumSamples } from "./waveform.js";
export { speechEncoderWeights, type SpeechEncoderWeights } from "./weights.js";
