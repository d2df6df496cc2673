/**
 * The esbuild settings both browser bundles share: the library's (scripts/buildWeb.mjs) and the
 * page's (buildPage.ts). Platform "browser" makes a reachable `node:` import (or a Node-only
 * package) a build error; ES2022 is what the page's browsers run; minified, with source maps,
 * and a metafile listing every input (the web tests read the library's).
 */
import { join } from "node:path";
import type { BuildOptions, Plugin } from "esbuild";

export const BROWSER_BUNDLE = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: "warning",
} as const satisfies BuildOptions;

/**
 * Every import of a `*.node.js` module (Node-only: files on disk, worker threads) bundles its
 * `*.web.js` twin beside it instead (as the TypeScript source `*.web.ts`). A family's family.ts
 * is shared by Node and the page; where its work differs (opening a graph by path, writing a
 * random model), the Node way sits in a `.node.ts` file and the page's in the twin.
 */
export const nodeTwinPlugin: Plugin = {
  name: "node-only modules to their web twins",
  setup(build) {
    build.onResolve({ filter: /\.node\.js$/ }, (args) => ({ path: join(args.resolveDir, args.path.replace(/\.node\.js$/, ".web.ts")) }));
  },
};
