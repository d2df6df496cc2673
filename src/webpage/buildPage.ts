/**
 * Builds the page into dist/web beside the library bundle (`npm run build:web`):
 * web/src/main.ts bundled by esbuild into page.js (ESM, browser, minified, with a source map),
 * and web/index.html and web/style.css copied. The page's import of the browser core
 * (src/web/index.js) stays external and points at ./s3tokenizer-web.js, so the page loads the
 * same library bundle any other page would, and its own script stays small.
 * `node dist/src/webpage/buildPage.js` (npm run build:page) runs it.
 */
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { BROWSER_BUNDLE, nodeTwinPlugin } from "./browserBundle.js";

/** The package root (this file is dist/src/webpage/buildPage.js). */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const PAGE_SOURCE_DIR = join(ROOT, "web");
export const PAGE_OUT_DIR = join(ROOT, "dist", "web");
/** The library bundle's file name in the page folder (what `npm run build:web` writes). */
export const CORE_BUNDLE = "s3tokenizer-web.js";

/** Resolves the page's import of the browser core to the library bundle beside page.js. */
const coreAsBundle: Plugin = {
  name: "core-as-bundle",
  setup(builder) {
    builder.onResolve({ filter: /(^|\/)src\/web\/index\.js$/ }, () => ({ path: `./${CORE_BUNDLE}`, external: true }));
  },
};

export interface PageBuild {
  outDir: string;
  /** Bytes of page.js. */
  pageBytes: number;
}

export async function buildPage(outDir: string = PAGE_OUT_DIR): Promise<PageBuild> {
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(PAGE_SOURCE_DIR, "src", "main.ts")],
    outfile: join(outDir, "page.js"),
    ...BROWSER_BUNDLE,
    plugins: [coreAsBundle, nodeTwinPlugin],
  });
  await Promise.all(["index.html", "style.css"].map((name) => copyFile(join(PAGE_SOURCE_DIR, name), join(outDir, name))));
  const output = result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith("page.js"))!]!;
  return { outDir, pageBytes: output.bytes };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { outDir, pageBytes } = await buildPage(process.argv[2] ?? PAGE_OUT_DIR);
  process.stdout.write(`page built into ${outDir} (page.js ${pageBytes} bytes)\n`);
}
