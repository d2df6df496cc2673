/** The page bundle's twin of command.node.ts (see family/nodeOnly.ts): commands run in Node. */
import { nodeOnly } from "../../family/nodeOnly.js";
import type { run as NodeRun } from "./command.node.js";

export const help = "";

export const run: typeof NodeRun = async () => {
  throw nodeOnly("the encodec command");
};
