/** The page bundle's twin of randomModel.node.ts (see family/nodeOnly.ts). */
import { nodeOnly } from "../../family/nodeOnly.js";
import type { writeRandomRepCodecWhisper as NodeWrite } from "./randomModel.node.js";

export const writeRandomRepCodecWhisper: typeof NodeWrite = () => {
  throw nodeOnly("writing a random RepCodec model");
};
