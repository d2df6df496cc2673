/**
 * `npm run web`: serves the built page on 127.0.0.1 (cross-origin isolated, so onnxruntime-web
 * gets its WebAssembly threads) and prints its address. `--models DIR` also serves a local model
 * folder at /models/, so the page can load models by URL with no network.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { isTokenizerError } from "../errors.js";
import { startStaticServer } from "./staticServer.js";

const HELP = `usage: npm run web -- [--port N] [--host ADDR] [--models DIR] [--root DIR]

  --port N      port to listen on (default 8787; 0 picks a free one)
  --host ADDR   loopback address to listen on (default 127.0.0.1)
  --models DIR  serve DIR at /models/ (enter http://127.0.0.1:8787/models/<file> as a model URL)
  --root DIR    the built page (default: dist/web of this package)`;

/** dist/web beside this file's dist/src/webpage. */
export const DEFAULT_PAGE_DIR = fileURLToPath(new URL("../../web/", import.meta.url));

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "8787" },
      host: { type: "string", default: "127.0.0.1" },
      models: { type: "string" },
      root: { type: "string", default: DEFAULT_PAGE_DIR },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`web: --port must be an integer in 0..65535, got ${JSON.stringify(values.port)}\n`);
    return 2;
  }
  const server = await startStaticServer({ root: values.root, host: values.host, port, ...(values.models === undefined ? {} : { models: values.models }) });
  process.stdout.write(`s3tokenizer page: ${server.url}\n`);
  if (values.models !== undefined) process.stdout.write(`models from ${values.models} at ${server.url}models/\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return -1;
}

try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (error) {
  if (isTokenizerError(error) || (error instanceof TypeError && "code" in error)) {
    process.stderr.write(`web: ${error.message}\n\n${HELP}\n`);
    process.exit(2);
  }
  throw error;
}
