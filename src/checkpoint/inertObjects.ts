/**
 * The Python objects a fairseq checkpoint's configuration is pickled as, read as plain data.
 * Released HuBERT and data2vec files hold `cfg` as an omegaconf DictConfig (built by NEWOBJ with
 * no arguments, then BUILD with `{_metadata, _parent, _content}`; value nodes carry `_val`), older
 * ones `args` as an argparse.Namespace, and `task_state` fairseq Dictionary objects. Nothing of
 * theirs is run: each class is an inert stand-in here, and BUILD only copies state into plain
 * containers:
 *  - a DictConfig becomes a Map of its content, a ListConfig an array, each value node its value;
 *  - `_parent` (which points back at the container still being built, so the pickle is cyclic
 *    through its memo) and `_metadata` are dropped, so what comes out is acyclic;
 *  - a Namespace or a Dictionary becomes a Map of its attributes;
 *  - classes named only as values (typing.Any, dict, list, int as omegaconf's ref and element
 *    types) are markers, and fairseq's string enums (ChoiceEnum) are their string values.
 * Anything else is not here, and the checkpoint reader refuses it as before.
 */

/** What an allowed class becomes when instantiated. */
type ClassKind = "dict-config" | "list-config" | "value-node" | "metadata" | "attributes";

/** An allowed class, as NEWOBJ receives it. */
export class PythonClass {
  constructor(
    readonly name: string,
    readonly kind: ClassKind,
  ) {
    Object.freeze(this);
  }
}

/** A class or type that a config names only as a value (omegaconf's ref_type, object_type, ...). */
export class PythonType {
  constructor(readonly name: string) {
    Object.freeze(this);
  }
}

/** An omegaconf value node until its BUILD gives it `_val`. */
class ValueNode {
  value: unknown = null;
  built = false;
}

/** Metadata objects: their state is dropped. */
class DroppedObject {
  constructor(readonly className: string) {
    Object.freeze(this);
  }
}

const VALUE_NODES = ["AnyNode", "StringNode", "IntegerNode", "FloatNode", "BooleanNode", "EnumNode", "BytesNode", "PathNode"];
/** Builtin types under both the protocol-2 (`__builtin__`) and the protocol-3+ (`builtins`) module names. */
const BUILTIN_TYPES = ["dict", "list", "tuple", "int", "long", "float", "str", "bool", "bytes"];
/** fairseq's ChoiceEnum classes are all created as `Choices` in this module (fairseq/dataclass/constants.py). */
const FAIRSEQ_ENUM = "fairseq.dataclass.constants.Choices";

/** True for a Map whose keys are all strings: pickled object attributes. */
function isAttributeDict(value: unknown): value is Map<string, unknown> {
  return value instanceof Map && [...value.keys()].every((key) => typeof key === "string");
}

/**
 * The stand-ins and their BUILD for one pickle. `damaged` makes the caller's typed error from a
 * problem's description.
 */
export class InertObjects {
  /** Containers made here, by kind, until their one BUILD. */
  private readonly pending = new WeakMap<object, ClassKind>();
  /** DictConfigs whose content is None or a string ("???", an interpolation): that value stands for them. */
  private readonly contentless = new WeakMap<object, unknown>();

  constructor(private readonly damaged: (problem: string) => Error) {}

  /** The globals this adds to the reader's allow-list, by dotted name. */
  globals(): Map<string, unknown> {
    const globals = new Map<string, unknown>();
    const add = (name: string, kind: ClassKind) => globals.set(name, new PythonClass(name, kind));
    add("omegaconf.dictconfig.DictConfig", "dict-config");
    add("omegaconf.listconfig.ListConfig", "list-config");
    for (const node of VALUE_NODES) add(`omegaconf.nodes.${node}`, "value-node");
    add("omegaconf.base.Metadata", "metadata");
    add("omegaconf.base.ContainerMetadata", "metadata");
    add("argparse.Namespace", "attributes");
    add("fairseq.data.dictionary.Dictionary", "attributes");
    globals.set("typing.Any", new PythonType("typing.Any"));
    for (const module of ["__builtin__", "builtins"]) {
      for (const type of BUILTIN_TYPES) globals.set(`${module}.${type}`, new PythonType(`${module}.${type}`));
    }
    // defaultdict(factory): only ever an empty dict here (omegaconf's resolver cache).
    globals.set("collections.defaultdict", (factory?: unknown) => {
      if (factory !== undefined && factory !== null && !(factory instanceof PythonType)) throw this.damaged("collections.defaultdict called with a factory that is not a type");
      return new Map();
    });
    // A ChoiceEnum member pickles as Choices(value): its value is the plain string.
    globals.set(FAIRSEQ_ENUM, (value?: unknown) => {
      if (typeof value !== "string") throw this.damaged(`${FAIRSEQ_ENUM} called with something other than one string`);
      return value;
    });
    return globals;
  }

  /** NEWOBJ of `cls`: a fresh stand-in, or undefined when `cls` is not an allowed class. */
  newObject(cls: unknown, args: readonly unknown[]): unknown {
    if (!(cls instanceof PythonClass)) return undefined;
    if (args.length > 0) throw this.damaged(`${cls.name} instantiated with arguments (it is pickled with none)`);
    switch (cls.kind) {
      case "value-node":
        return new ValueNode();
      case "metadata":
        return new DroppedObject(cls.name);
      case "list-config": {
        const list: unknown[] = [];
        this.pending.set(list, cls.kind);
        return list;
      }
      default: {
        const dict = new Map<unknown, unknown>();
        this.pending.set(dict, cls.kind);
        return dict;
      }
    }
  }

  /** BUILD on a stand-in: true when handled, false when `target` is not one of ours. */
  build(target: unknown, state: unknown): boolean {
    if (target instanceof DroppedObject) return true;
    if (target instanceof ValueNode) {
      if (target.built) throw this.damaged("BUILD twice on an omegaconf value node");
      if (!isAttributeDict(state)) throw this.damaged("an omegaconf value node's state is not a dict of attributes");
      target.value = this.plain(state.get("_val") ?? null);
      target.built = true;
      return true;
    }
    if (typeof target !== "object" || target === null) return false;
    const kind = this.pending.get(target);
    if (kind === undefined) return false;
    // Still pending while its content is read, so a container holding itself is caught as a cycle.
    this.fill(target, kind, state);
    this.pending.delete(target);
    return true;
  }

  /** Copies a container's state (or its attributes) into its stand-in. */
  private fill(target: object, kind: ClassKind, state: unknown): void {
    if (!isAttributeDict(state)) throw this.damaged(`the state of ${kind === "attributes" ? "an object" : "an omegaconf container"} is not a dict of attributes`);
    if (kind === "attributes") {
      for (const [key, value] of state) (target as Map<unknown, unknown>).set(key, value);
      return;
    }
    const content = state.get("_content") ?? null;
    if (content === null || typeof content === "string") {
      this.contentless.set(target, content);
    } else if (kind === "list-config") {
      if (!Array.isArray(content)) throw this.damaged("a ListConfig's content is not a list");
      for (const item of content) (target as unknown[]).push(this.plain(item));
    } else {
      if (!(content instanceof Map)) throw this.damaged("a DictConfig's content is not a dict");
      for (const [key, value] of content) {
        if (typeof key !== "string" && typeof key !== "number") throw this.damaged("a DictConfig key is not a string or an integer");
        (target as Map<unknown, unknown>).set(key, this.plain(value));
      }
    }
  }

  /** A child of a config container as plain data: a value node's value, a contentless container's None or string. */
  private plain(value: unknown): unknown {
    if (value instanceof ValueNode) {
      if (!value.built) throw this.damaged("an omegaconf value node is used before its state is set");
      return value.value;
    }
    if (typeof value === "object" && value !== null) {
      if (this.pending.has(value)) throw this.damaged("an omegaconf container holds a container whose state is not set yet (a cycle)");
      if (this.contentless.has(value)) return this.contentless.get(value);
    }
    return value;
  }

  /** How errors name a stand-in, or undefined when `value` is not one. */
  describe(value: unknown): string | undefined {
    if (value instanceof PythonClass) return `the class ${value.name}`;
    if (value instanceof PythonType) return `the type ${value.name}`;
    if (value instanceof ValueNode) return "an omegaconf value node";
    if (value instanceof DroppedObject) return `a ${value.className}`;
    return undefined;
  }
}
