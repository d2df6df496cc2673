/** Location of the other families' shared fixtures (../shared/fixtures/<family>), or null when absent. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fixturesDir } from "./fixtures.js";

export function familyFixturesDir(family: "speechtokenizer" | "funcodec" | "repcodec" | "encodec"): string | null {
  const s3 = fixturesDir();
  if (s3 === null) return null;
  const dir = join(dirname(s3), family);
  return existsSync(dir) ? dir : null;
}
