/**
 * The page bundle's stand-in for releasedFile.node.ts (src/webpage/browserBundle.ts maps every
 * `*.node.js` import to its `*.web.js` twin): a page has no files on disk, so its sources never
 * give a local path and the S3 family opens released bytes instead.
 */
import { nodeOnly } from "../../family/nodeOnly.js";
import type { openReleasedFile as NodeOpen } from "./releasedFile.node.js";

export const openReleasedFile: typeof NodeOpen = async (path) => {
  throw nodeOnly(`opening ${path} by path`);
};
