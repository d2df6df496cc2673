/** The page bundle's twin of featuresCommand.node.ts (see family/nodeOnly.ts): commands run in Node. */
import { nodeOnly } from "../../family/nodeOnly.js";
import type { run as NodeRun } from "./featuresCommand.node.js";

export const help = "";

export const run: typeof NodeRun = async () => {
  throw nodeOnly("the features command");
};
