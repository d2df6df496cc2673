/**
 * The checkpoint reader on hand-made fairseq config pickles: omegaconf containers with parent
 * pointers (cyclic through the memo) come out as plain acyclic data, a Namespace and a ChoiceEnum
 * as their attributes and string; anything beyond that is refused without being run.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readCheckpoint } from "../src/checkpoint/index.js";
import { PickleWriter } from "../src/checkpoint/pickleWriter.js";
import { CheckpointFormatError, CheckpointUnsafeError } from "../src/errors.js";
import { writeCraftedZip } from "./support/craftCheckpoint.js";

const dir = mkdtempSync(join(tmpdir(), "fairseq-pickle-"));
let counter = 0;
const file = (): string => join(dir, `${counter++}.pt`);

const NEWOBJ = [0x81];
const put = (w: PickleWriter, index: number) => w.raw([0x71, index]);
const get = (w: PickleWriter, index: number) => w.raw([0x68, index]);

/** omegaconf's pickle of a node: NEWOBJ, memo `index`, then BUILD {_metadata, _parent: memo parent, <key>: value}. */
function node(w: PickleWriter, cls: string, index: number, parent: number | null, key: "_content" | "_val", value: (w: PickleWriter) => void): void {
  const [module, name] = [cls.slice(0, cls.lastIndexOf(".")), cls.slice(cls.lastIndexOf(".") + 1)];
  w.global(module, name).emptyTuple().raw(NEWOBJ);
  put(w, index);
  w.emptyDict().mark().string("_metadata").global("omegaconf.base", "Metadata").emptyTuple().raw(NEWOBJ).emptyDict().string("ref_type").global("typing", "Any").setItem().build();
  w.string("_parent");
  if (parent === null) w.none();
  else get(w, parent);
  w.string(key);
  value(w);
  w.setItems().build();
}

const read = async (pickle: Uint8Array): Promise<unknown> => {
  const path = file();
  writeCraftedZip(path, pickle, {});
  return (await readCheckpoint(path)).root;
};

test("a DictConfig tree with parent pointers reads as plain dicts, lists and values", async () => {
  const w = new PickleWriter().proto(2).emptyDict().mark().string("cfg");
  node(w, "omegaconf.dictconfig.DictConfig", 1, null, "_content", (w) => {
    w.emptyDict().mark().string("model");
    node(w, "omegaconf.dictconfig.DictConfig", 2, 1, "_content", (w) => {
      w.emptyDict().mark().string("_name");
      node(w, "omegaconf.nodes.AnyNode", 3, 2, "_val", (w) => w.string("hubert"));
      w.string("latent_temp");
      node(w, "omegaconf.listconfig.ListConfig", 4, 2, "_content", (w) => {
        w.emptyList().mark();
        node(w, "omegaconf.nodes.AnyNode", 5, 4, "_val", (w) => w.float(2));
        node(w, "omegaconf.nodes.AnyNode", 6, 4, "_val", (w) => w.float(0.5));
        w.appends();
      });
      w.string("empty");
      node(w, "omegaconf.dictconfig.DictConfig", 7, 2, "_content", (w) => w.none());
      w.string("mode").global("fairseq.dataclass.constants", "Choices").mark().string("layer_norm").tuple().reduce();
      w.setItems();
    });
    w.setItems();
  });
  w.string("args").global("argparse", "Namespace").emptyTuple().raw(NEWOBJ).emptyDict().mark().string("arch").string("hubert").string("normalize").bool(true).setItems().build();
  w.setItems().stop();
  const root = await read(w.bytes()) as Map<string, unknown>;
  const plain = (v: unknown): unknown => v instanceof Map ? Object.fromEntries([...v].map(([k, x]) => [k, plain(x)])) : Array.isArray(v) ? v.map(plain) : v;
  assert.deepEqual(plain(root), {
    cfg: { model: { _name: "hubert", latent_temp: [2, 0.5], empty: null, mode: "layer_norm" } },
    args: { arch: "hubert", normalize: true },
  });
});

for (const [what, make, check] of [
  ["an unknown global inside a config node's state", (w: PickleWriter) => {
    node(w, "omegaconf.nodes.AnyNode", 1, null, "_val", (w) => w.global("os", "system").mark().string("true").tuple().reduce());
  }, (e: unknown) => e instanceof CheckpointUnsafeError && e.global === "os.system"],
  ["NEWOBJ of a class outside the stand-ins (an OrderedDict)", (w: PickleWriter) => {
    w.global("collections", "OrderedDict").emptyTuple().raw(NEWOBJ);
  }, (e: unknown) => e instanceof CheckpointFormatError && /NEWOBJ instantiates a function/.test(e.message)],
  ["NEWOBJ of a stand-in with arguments", (w: PickleWriter) => {
    w.global("argparse", "Namespace").mark().string("x").tuple().raw(NEWOBJ);
  }, (e: unknown) => e instanceof CheckpointFormatError && /instantiated with arguments/.test(e.message)],
  ["a DictConfig holding itself", (w: PickleWriter) => {
    node(w, "omegaconf.dictconfig.DictConfig", 1, null, "_content", (w) => {
      w.emptyDict().string("me");
      get(w, 1);
      w.setItem();
    });
  }, (e: unknown) => e instanceof CheckpointFormatError && /cycle/.test(e.message)],
  ["a value node built twice", (w: PickleWriter) => {
    node(w, "omegaconf.nodes.AnyNode", 1, null, "_val", (w) => w.int(1));
    w.emptyDict().build();
  }, (e: unknown) => e instanceof CheckpointFormatError && /BUILD twice/.test(e.message)],
  ["a ChoiceEnum called with something other than a string", (w: PickleWriter) => {
    w.global("fairseq.dataclass.constants", "Choices").mark().int(3).tuple().reduce();
  }, (e: unknown) => e instanceof CheckpointFormatError && /one string/.test(e.message)],
  ["a type marker called as a function", (w: PickleWriter) => {
    w.global("builtins", "dict").emptyTuple().reduce();
  }, (e: unknown) => e instanceof CheckpointFormatError && /calls the type builtins\.dict/.test(e.message)],
] as const) {
  test(`refused: ${what}`, async () => {
    const marker = join(dir, "pwned");
    const w = new PickleWriter().proto(2);
    make(w);
    const path = file();
    writeCraftedZip(path, w.stop().bytes(), {});
    await assert.rejects(readCheckpoint(path), (e: unknown) => check(e) && (e as Error).message.includes(path));
    assert.equal(existsSync(marker), false);
  });
}
