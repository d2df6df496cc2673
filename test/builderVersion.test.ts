/** The converted-graph fingerprint covers every .js file under its folders, at any depth. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import test from "node:test";
import { BUILDER_DIRS, BUILDER_VERSION, fingerprintTree } from "../src/models/builderVersion.js";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "fingerprint-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test("a change, an addition or a rename in a subfolder changes the fingerprint; other files do not", (t) => {
  const base = { "models/a.js": "a", "models/s3/b.js": "b", "onnx/c.js": "c", "checkpoint/zip/d.js": "d" };
  const roots = [
    tree(base),
    tree({ ...base, "models/s3/b.js": "b2" }), // changed two levels down
    tree({ ...base, "models/s3/deep/e.js": "e" }), // added deeper
    tree({ "models/a.js": "a", "models/s3x/b.js": "b", "onnx/c.js": "c", "checkpoint/zip/d.js": "d" }), // moved
    tree({ ...base, "checkpoint/zip/d.js": "d2" }),
    tree({ ...base, "models/s3/notes.md": "x", "serve/x.js": "x", "models/s3/b.d.ts": "x" }), // not hashed
  ];
  t.after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
  const [original, ...variants] = roots.map((root) => fingerprintTree(root, BUILDER_DIRS));
  assert.match(original!, /^[0-9a-f]{16}$/);
  variants.slice(0, 4).forEach((fingerprint, i) => assert.notEqual(fingerprint, original, `variant ${i}`));
  assert.equal(variants[4], original, "files outside the folders, or not .js, do not count");
  assert.equal(fingerprintTree(roots[0]!, BUILDER_DIRS), original, "stable");
});

test("the build's fingerprint is the tree's over the compiled src/, whose S3 code sits in a subfolder", () => {
  const srcRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "src");
  assert.ok(existsSync(join(srcRoot, "models", "s3", "tokenizerGraph.js")));
  assert.equal(BUILDER_VERSION, fingerprintTree(srcRoot, BUILDER_DIRS));
});
