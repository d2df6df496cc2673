/** The page bundle's twin of randomModel.node.ts (see family/nodeOnly.ts). */
import { nodeOnly } from "../../family/nodeOnly.js";
import type { writeRandomFunCodec as NodeWrite } from "./randomModel.node.js";

export const writeRandomFunCodec: typeof NodeWrite = async () => {
  throw nodeOnly("writing a random FunCodec model");
};
