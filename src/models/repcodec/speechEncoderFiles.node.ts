/**
 * RepCodec over HuBERT / data2vec-audio from files on disk (Node): the RepCodec checkpoint with an
 * optional YAML checked against it, and the fairseq checkpoint (speechEncoderRepCodec.ts). A page
 * opens the two checkpoints' bytes instead (family.ts); its bundle takes speechEncoderFiles.web.ts.
 */
export { openRepCodecSpeechEncoder } from "./speechEncoderRepCodec.js";
