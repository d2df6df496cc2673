/**
 * Every name a README example imports is what the built package exports: each ```ts block of
 * README.md is read, its `import { ... } from "s3tokenizer"` (or "s3tokenizer/web") names are
 * collected, and the package is imported by its own name (through package.json's exports, as a
 * user's code does) and checked for each value; a `type` import is checked against the entry's
 * declaration file.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

interface ImportedName {
  name: string;
  typeOnly: boolean;
  /** Where the README imports it, for the failure message. */
  block: number;
}

/** The bodies of the README's ```ts fences, in order. */
export function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** Names each block imports, per package specifier ("s3tokenizer", "s3tokenizer/web"). */
export function importedNames(blocks: readonly string[]): Map<string, ImportedName[]> {
  const bySpecifier = new Map<string, ImportedName[]>();
  blocks.forEach((code, block) => {
    for (const match of code.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*"(s3tokenizer(?:\/[\w-]+)?)"/g)) {
      const wholeTypeOnly = match[1] !== undefined;
      const list = bySpecifier.get(match[3]!) ?? [];
      for (const item of match[2]!.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
        const typeOnly = wholeTypeOnly || item.startsWith("type ");
        // `a as b` imports a; `type T` imports T.
        const name = item.replace(/^type\s+/, "").split(/\s+as\s+/)[0]!.trim();
        list.push({ name, typeOnly, block });
      }
      bySpecifier.set(match[3]!, list);
    }
  });
  return bySpecifier;
}

/** The declaration file of each entry, as package.json's exports map names it. */
function declarationFile(specifier: string): string {
  const { exports } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, { types: string }> };
  const key = specifier === "s3tokenizer" ? "." : `.${specifier.slice("s3tokenizer".length)}`;
  const entry = exports[key];
  assert.ok(entry, `package.json has no exports entry for ${specifier}`);
  return readFileSync(join(ROOT, entry.types), "utf8");
}

test("the README's examples import from the package's own name, the main and the web entry", () => {
  const names = importedNames(typescriptBlocks(readFileSync(join(ROOT, "README.md"), "utf8")));
  assert.ok((names.get("s3tokenizer")?.length ?? 0) > 0, 'no ```ts block imports from "s3tokenizer"');
  assert.ok((names.get("s3tokenizer/web")?.length ?? 0) > 0, 'no ```ts block imports from "s3tokenizer/web"');
});

test("every name a README ```ts block imports is exported by the built package", async () => {
  const names = importedNames(typescriptBlocks(readFileSync(join(ROOT, "README.md"), "utf8")));
  const missing: string[] = [];
  for (const [specifier, list] of names) {
    // The specifier is a variable so that this resolves at run time, through the exports map.
    const module = (await import(specifier)) as Record<string, unknown>;
    const declarations = declarationFile(specifier);
    for (const { name, typeOnly, block } of list) {
      const exported = typeOnly ? new RegExp(`\\b${name}\\b`).test(declarations) || name in module : name in module && module[name] !== undefined;
      if (!exported) missing.push(`${name} (from "${specifier}", README ts block ${block + 1})`);
    }
  }
  assert.deepEqual(missing, [], `README examples import names the package does not export: ${missing.join(", ")}`);
});

test("the import reader sees every form a README example may use", () => {
  const names = importedNames([
    'import { a, b as c } from "s3tokenizer";\nimport type { T } from "s3tokenizer";',
    'import {\n  d,\n  type U,\n} from "s3tokenizer/web";\nimport { x } from "other";',
  ]);
  assert.deepEqual(names.get("s3tokenizer"), [
    { name: "a", typeOnly: false, block: 0 },
    { name: "b", typeOnly: false, block: 0 },
    { name: "T", typeOnly: true, block: 0 },
  ]);
  assert.deepEqual(names.get("s3tokenizer/web"), [
    { name: "d", typeOnly: false, block: 1 },
    { name: "U", typeOnly: true, block: 1 },
  ]);
  assert.equal(names.has("other"), false);
});
