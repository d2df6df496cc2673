/** File checks the families' detect() share: cheap, and never throwing for a path that is absent. */
import { stat } from "node:fs/promises";

/** True when `path` names a regular file (false when it is absent, a folder, or unreadable). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
