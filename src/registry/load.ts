/**
 * Node's one entry point for every family: a registry name (S3's releases or any family's models)
 * → its files from the hub's cache (downloaded when needed) → its family's open(); a local path →
 * the first family whose detect() recognizes it. Both as a model source (family/modelSource.ts),
 * opened on onnxruntime-node with the hub's derived-file cache (converted graphs).
 */
import { InvalidInputError, ModelNotFoundError } from "../errors.js";
import { localSource, filesSource } from "../family/localSource.js";
import type { FamilyLoadOptions, ModelFiles, TokenizerModel, TokenizerFamily } from "../family/types.js";
import { hubDerivedFiles } from "./derivedFiles.js";
import { SINGLE_FILE_NAME } from "../hub/registry.js";
import { isPathLike, registryEntry, resolveEntryFiles } from "../hub/resolve.js";
import { nodeBackend } from "../runtime/nodeBackend.js";
import { detectSourceFamily, entryFamily, familyRegistryEntries } from "./entries.js";

export { familyRegistryEntries, SINGLE_FILE_FAMILY } from "./entries.js";

/** The family and files of a local path: each family's detect() in turn. */
export async function detectFamily(path: string): Promise<{ family: TokenizerFamily; files: ModelFiles }> {
  const source = localSource(path);
  if (source === null) throw new ModelNotFoundError(path, "no such file or folder");
  const family = await detectSourceFamily(source);
  const names = (await family.detect(source))!;
  return { family, files: Object.fromEntries(names.map((name) => [name, source.locate(name)])) };
}

/**
 * A tokenizer of any family: `nameOrPath` is a registry name (served from the cache, downloaded
 * when needed, never offline) or a local file or folder of a released model.
 */
export async function load(nameOrPath: string, options: FamilyLoadOptions = {}): Promise<TokenizerModel> {
  if (nameOrPath === "") throw new InvalidInputError("the model is an empty string; give a model name or a path");
  const context = { backend: nodeBackend, derivedFiles: hubDerivedFiles(options) };
  const local = localSource(nameOrPath);
  if (local !== null) return (await detectSourceFamily(local)).open(local, options, context);
  if (isPathLike(nameOrPath)) throw new ModelNotFoundError(nameOrPath, "no such file or folder");
  const entry = await registryEntry(nameOrPath, options, familyRegistryEntries());
  const family = entryFamily(entry);
  const { files } = await resolveEntryFiles(entry, options, SINGLE_FILE_NAME);
  return family.open(filesSource(files, nameOrPath), options, context);
}
