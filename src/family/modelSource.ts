/**
 * Where a model's files come from, as every family reads them: file names, and each file's bytes
 * or text when the family asks. Node's sources are a file, a folder or the hub's cache
 * (localSource.ts); a page's are downloaded or cached bytes (bytesSource below). A family's
 * detect() and open() see only this, so one registry serves Node and the page alike.
 *
 * Browser-safe: nothing here imports a Node module.
 */
import { InvalidInputError } from "../errors.js";
import type { FileProblem } from "../files/regularFile.js";
import type { ModelFiles } from "./types.js";

/** The largest configuration file read: hundreds of times any real one (config.json, config.yaml). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface ModelSource {
  /** Names the model in messages and provenance (a registry name, a path, a URL, picked files). */
  readonly label: string;
  /** The file names this source holds (a folder's regular files, an entry's files, picked files). */
  readonly names: readonly string[];
  /**
   * The one file a user named, where the source is a file inside a folder (Node: a path to a
   * file): a family that takes several files reads its siblings from the folder.
   */
  readonly chosen?: string;
  /** How messages and checkpoint errors name file `name`: its path in Node, "label/name" in a page. */
  locate(name: string): string;
  /** The whole file `name` (a typed error naming it when it cannot be read). */
  read(name: string): Promise<Uint8Array>;
  /** The first bytes of `name`, at most `length` (detection reads headers only). */
  head(name: string, length: number): Promise<Uint8Array>;
  /**
   * The text of configuration file `name`: at most MAX_CONFIG_BYTES, a regular file; what is
   * wrong goes to `problem`, which builds the family's typed error.
   */
  text(name: string, problem: FileProblem): Promise<string>;
  /** The local path of `name` where the source is on disk (Node); absent in a page. */
  localPath?(name: string): string;
}

/** The files a model was loaded from (file name → where it is), for a part file's provenance. */
export function sourceFiles(source: ModelSource, names: readonly string[]): ModelFiles {
  return Object.fromEntries(names.map((name) => [name, source.locate(name)]));
}

/** The names in `source` ending with `suffix` (case-insensitive). */
export function namesEnding(source: ModelSource, suffix: string): string[] {
  const lower = suffix.toLowerCase();
  return source.names.filter((name) => name.toLowerCase().endsWith(lower));
}

const utf8 = new TextDecoder();

/**
 * Files held as bytes (a page's downloads, a test's files): each file is handed to its reader
 * once and then dropped, so that only the model being built holds it.
 */
export function bytesSource(files: Map<string, Uint8Array>, label: string): ModelSource {
  const names = [...files.keys()];
  const bytesOf = (name: string): Uint8Array => {
    const bytes = files.get(name);
    if (bytes === undefined) throw new InvalidInputError(`${label}: the model's files hold no ${name} (files: ${names.join(", ")})`);
    return bytes;
  };
  return {
    label,
    names,
    locate: (name) => `${label}/${name}`,
    async read(name) {
      const bytes = bytesOf(name);
      files.delete(name);
      return bytes;
    },
    async head(name, length) {
      return bytesOf(name).subarray(0, length);
    },
    async text(name, problem) {
      const bytes = bytesOf(name);
      if (bytes.length > MAX_CONFIG_BYTES) throw problem(`${bytes.length} bytes is more than such a file may hold (${MAX_CONFIG_BYTES})`);
      return utf8.decode(bytes);
    },
  };
}
