/**
 * Lookups over a decoded ONNX graph: nodes by name, and the constant value behind any tensor
 * name, whether it is an initializer or the output of a Constant node (the v3 release stores
 * some weights the second way).
 */
import { ModelStructureError } from "../errors.js";
import { tensorFromProto, toNumber, type TensorData } from "./tensor.js";
import type { AttributeProto, GraphProto, NodeProto, TensorProto } from "./types.js";

export class GraphIndex {
  readonly source: string;
  private readonly nodesByName = new Map<string, NodeProto>();
  private readonly initializers = new Map<string, TensorProto>();
  private readonly constantOutputs = new Map<string, TensorProto>();
  private readonly producers = new Map<string, NodeProto>();
  private readonly consumers = new Map<string, NodeProto[]>();

  constructor(graph: GraphProto, source: string) {
    this.source = source;
    for (const init of graph.initializer) if (init.name) this.initializers.set(init.name, init);
    for (const node of graph.node) {
      if (node.name) this.nodesByName.set(node.name, node);
      for (const output of node.output) this.producers.set(output, node);
      for (const input of node.input) {
        const list = this.consumers.get(input) ?? [];
        list.push(node);
        this.consumers.set(input, list);
      }
      if (node.opType === "Constant") {
        const value = node.attribute?.find((a) => a.name === "value")?.t;
        if (value && node.output[0]) this.constantOutputs.set(node.output[0], value);
      }
    }
  }

  get nodes(): IterableIterator<NodeProto> {
    return this.nodesByName.values();
  }

  /** The node that computes tensor `name`, if any. */
  producerOf(name: string): NodeProto | undefined {
    return this.producers.get(name);
  }

  /** The nodes that read tensor `name`. */
  consumersOf(name: string): NodeProto[] {
    return this.consumers.get(name) ?? [];
  }

  findNode(name: string): NodeProto | undefined {
    return this.nodesByName.get(name);
  }

  /** The node of that name and op type, or a ModelStructureError naming it. */
  requireNode(name: string, opType: string): NodeProto {
    const node = this.nodesByName.get(name);
    if (!node) throw new ModelStructureError(this.source, `node ${name} (${opType})`);
    if (node.opType !== opType) {
      throw new ModelStructureError(this.source, `node ${name} of type ${opType}`, `found ${node.opType}`);
    }
    return node;
  }

  /** True when the tensor name is a Constant node's output rather than an initializer. */
  isConstantNodeOutput(name: string): boolean {
    return !this.initializers.has(name) && this.constantOutputs.has(name);
  }

  /** The constant tensor behind `name`, or undefined when it is computed at run time. */
  constantValue(name: string): TensorData | undefined {
    const proto = this.initializers.get(name) ?? this.constantOutputs.get(name);
    if (!proto) return undefined;
    return tensorFromProto(proto) ?? undefined;
  }

  /**
   * The constant input of `node` (a weight): the first input, from `positions`, that is an
   * initializer or Constant output with the expected rank. `what` names it in the error.
   */
  requireConstantInput(node: NodeProto, positions: number[], rank: number, what: string): TensorData {
    for (const position of positions) {
      const name = node.input[position];
      if (!name) continue;
      const value = this.constantValue(name);
      if (value && value.dims.length === rank) return value;
    }
    throw new ModelStructureError(this.source, what, `no constant rank-${rank} input on node ${node.name}`);
  }

  requireInitializer(name: string, what: string): TensorData {
    const value = this.constantValue(name);
    if (!value) throw new ModelStructureError(this.source, what, `tensor ${name}`);
    return value;
  }
}

export function attribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

export function intsAttribute(node: NodeProto, name: string): number[] | undefined {
  const found = attribute(node, name);
  return found?.ints?.map(toNumber);
}

export function floatAttribute(node: NodeProto, name: string): number | undefined {
  return attribute(node, name)?.f;
}
