/**
 * What the published package holds and how it loads: source maps whose sources ship with them,
 * `require("s3tokenizer")` on Node >= 20.19, the LICENSE, and no project .npmrc key npm does not know.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

/** The files `npm pack` would put in the tarball (no scripts run, nothing written). */
function packedFiles(): Set<string> {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const [pack] = JSON.parse(out) as [{ files: { path: string }[] }];
  return new Set(pack.files.map((f) => f.path));
}

test("every source map in the package points at sources the package holds", () => {
  const files = packedFiles();
  const maps = [...files].filter((f) => f.endsWith(".js.map"));
  assert.ok(files.has("dist/src/index.js"));
  for (const map of maps) {
    const { sources } = JSON.parse(readFileSync(join(ROOT, map), "utf8")) as { sources: string[] };
    for (const source of sources) {
      const packed = normalize(join(dirname(map), source));
      assert.ok(files.has(packed), `${map} points at ${packed}, which the package lacks`);
    }
  }
});

test("the package ships the LICENSE its package.json names (Apache-2.0, the full text)", () => {
  const files = packedFiles();
  assert.ok(files.has("LICENSE"), "the packed file list has no LICENSE");
  const { license } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { license: string };
  assert.equal(license, "Apache-2.0");
  const text = readFileSync(join(ROOT, "LICENSE"), "utf8");
  assert.match(text, /^\s*Apache License\s+Version 2\.0, January 2004/);
  // The whole text, not a stub: its nine sections to the end of the terms and the appendix.
  for (let section = 1; section <= 9; section++) assert.match(text, new RegExp(`^\\s*${section}\\. \\w`, "m"), `section ${section} missing`);
  assert.match(text, /END OF TERMS AND CONDITIONS/);
  assert.match(text, /APPENDIX: How to apply the Apache License to your work\./);
});

const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
const canRequireEsm = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);

test("require(\"s3tokenizer\") gives the same API as import", { skip: canRequireEsm ? false : `Node ${process.versions.node} cannot require ES modules` }, () => {
  // Run from the package root: "s3tokenizer" resolves to this package through its exports map.
  const script = 'const m = require("s3tokenizer"); const { isTokenizerError, InvalidInputError, S3Tokenizer } = m;' +
    'process.stdout.write(JSON.stringify([typeof S3Tokenizer, isTokenizerError(new InvalidInputError("x"))]));';
  const out = execFileSync(process.execPath, ["--no-warnings", "-e", script], { cwd: ROOT, encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), ["function", true]);
});

test("the project sets no npm config key npm does not know (onnxruntime's install is skipped by its env var)", () => {
  const npmrc = join(ROOT, ".npmrc");
  if (existsSync(npmrc)) assert.doesNotMatch(readFileSync(npmrc, "utf8"), /onnxruntime-node-install/);
  assert.match(readFileSync(join(ROOT, ".ci", "run"), "utf8"), /^export ONNXRUNTIME_NODE_INSTALL=skip$/m);
});
