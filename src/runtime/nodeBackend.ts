/**
 * The models' runtime in Node, behind the RuntimeBackend seam (runtime/backend.ts; the page's is
 * web/runtime.ts): sessions on this thread, session streams in worker threads, and graphs built in
 * memory opened from a scratch file with their weights as external data (fileSession.ts says why).
 */
import { availableParallelism } from "node:os";
import type { RuntimeBackend } from "./backend.js";
import { openGraphFromFile } from "./fileSession.js";
import { openSession, ort } from "./session.js";
import { SessionStreams } from "./sessionStreams.js";

export const nodeBackend: RuntimeBackend = {
  platform: "node",
  ort,
  threads: availableParallelism,
  openSession,
  openGraph: openGraphFromFile,
  openStreams: (model, options, source, count, extra, later) => SessionStreams.open(model, options, source, count, extra, { later }),
};
