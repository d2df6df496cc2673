/** Writing seeded random EnCodec checkpoints (randomModel.ts) is Node's: the page bundle takes randomFiles.web.ts. */
export { writeRandomEncodec } from "./randomModel.js";
