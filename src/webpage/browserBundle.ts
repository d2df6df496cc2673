/**
 * The esbuild settings both browser bundles share: the library's (scripts/buildWeb.mjs) and the
 * page's (buildPage.ts). Platform "browser" makes a reachable `node:` import (or a Node-only
 * package) a build error; ES2022 is what the page's browsers run; minified, with source maps,
 * and a metafile listing every input (the web tests read the library's).
 */
import type { BuildOptions } from "esbuild";

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
