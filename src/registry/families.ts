/**
 * Every tokenizer family the toolkit serves: the one place a family is registered. Node's load(),
 * the corpus job, `serve`, `models`, the page and the shared test suite read this list; adding a
 * family is its folder under src/models/ and one line here (its TokenizerFamily from family.ts).
 * Browser-safe, as every family.ts is.
 */
import { encodecFamily } from "../models/encodec/family.js";
import { funcodecFamily } from "../models/funcodec/family.js";
import { kmeansFamily } from "../models/kmeans/family.js";
import { repcodecFamily } from "../models/repcodec/family.js";
import { s3Family } from "../models/s3/family.js";
import { speechTokenizerFamily } from "../models/speechtokenizer/family.js";
import type { FamilyName, TokenizerFamily } from "../family/types.js";

export const FAMILIES: readonly TokenizerFamily[] = [s3Family, speechTokenizerFamily, funcodecFamily, repcodecFamily, encodecFamily, kmeansFamily];

/** The family called `name`, or undefined. */
export function familyNamed(name: string): TokenizerFamily | undefined {
  return FAMILIES.find((family) => family.name === (name as FamilyName));
}
