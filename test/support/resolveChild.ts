/**
 * Child process of the hub tests: `node resolveChild.js '{"name": ..., "options": {...}}'`
 * resolves one model and prints `{ path, downloaded }` as JSON; exit code 1 on an error. Without
 * an argument (run as a test file by `node --test`) it does nothing.
 */
import { resolveModelFile } from "../../src/hub/resolve.js";

const spec = process.argv[2];
if (spec !== undefined) {
  const { name, options } = JSON.parse(spec) as { name: string; options: Record<string, unknown> };
  try {
    const resolved = await resolveModelFile(name, options);
    process.stdout.write(JSON.stringify({ path: resolved.path, downloaded: resolved.downloaded }) + "\n");
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  }
}
