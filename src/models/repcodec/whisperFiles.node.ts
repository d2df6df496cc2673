/**
 * RepCodec over Whisper from files on disk (Node): the Whisper graph built in a worker thread and
 * opened from a scratch file, and the RepCodec checkpoint with an optional YAML checked against it
 * (whisperRepCodec.ts). A page opens the two checkpoints' bytes instead (family.ts); its bundle
 * takes whisperFiles.web.ts in place of this file.
 */
export { RepCodecWhisperModel } from "./whisperRepCodec.js";
