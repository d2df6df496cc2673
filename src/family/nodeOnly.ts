/**
 * The page bundle's side of Node-only modules. src/webpage/browserBundle.ts maps every import of a
 * `*.node.js` module to its `*.web.js` twin; a twin whose work needs files on disk (writing a
 * random model, opening a graph by path) refuses with this error, which a page never meets in
 * practice: its model sources give bytes, never paths.
 */
import { InvalidInputError } from "../errors.js";

export function nodeOnly(what: string): InvalidInputError {
  return new InvalidInputError(`${what} needs files on disk, which a page does not have (Node.js only)`);
}
