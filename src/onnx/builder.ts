/**
 * A small ONNX graph builder: nodes with generated unique names, constants deduplicated,
 * initializers passed through as views (no copy until serialisation), typed inputs and outputs
 * with symbolic dimensions. The model builders in src/models use only this.
 */
import { DataType, AttributeType, type AttributeProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from "./types.js";
import { float32Tensor, int64Tensor, type TensorData } from "./tensor.js";

/** Attribute values, tagged so that ints and floats are never confused. */
export type AttributeValue =
  | { int: number }
  | { float: number }
  | { ints: number[] }
  | { string: string }
  | { tensor: TensorData };

export const attr = {
  int: (value: number): AttributeValue => ({ int: value }),
  float: (value: number): AttributeValue => ({ float: value }),
  ints: (value: number[]): AttributeValue => ({ ints: value }),
  string: (value: string): AttributeValue => ({ string: value }),
};

export type Dim = number | string;

/** Default opset: 17 has LayerNormalization and is served by every maintained runtime. */
export const DEFAULT_OPSET = 17;

export interface GraphBuilderOptions {
  /** Store weights as Constant nodes instead of initializers, as the v3 release does. */
  weightsAsConstantNodes?: boolean;
}

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly weightsAsConstantNodes: boolean;
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly shapes: ValueInfoProto[] = [];
  private readonly constants = new Map<string, string>();
  private readonly usedNames = new Set<string>();
  private readonly domains = new Map<string, number>();

  constructor(options: GraphBuilderOptions = {}) {
    this.weightsAsConstantNodes = options.weightsAsConstantNodes ?? false;
  }

  /** Adds a node and returns the name of its first output. */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, scope = opType): string {
    return this.nodeOutputs(opType, inputs, 1, attributes, scope)[0]!;
  }

  /** Adds a node with `outputCount` outputs; `domain` for contrib operators. */
  nodeOutputs(
    opType: string,
    inputs: string[],
    outputCount: number,
    attributes: Record<string, AttributeValue> = {},
    scope = opType,
    domain = "",
  ): string[] {
    const name = this.uniqueName(scope);
    const outputs = Array.from({ length: outputCount }, (_, i) => `${name}:${i}`);
    if (domain) this.domains.set(domain, 1);
    this.nodes.push({
      name,
      opType,
      domain: domain || undefined,
      input: inputs,
      output: outputs,
      attribute: Object.entries(attributes).map(([key, value]) => encodeAttribute(key, value)),
    });
    return outputs;
  }

  /** Adds a weight tensor as an initializer (kept as a view until serialisation). */
  initializer(name: string, tensor: TensorData): string {
    const unique = this.uniqueName(name);
    if (this.weightsAsConstantNodes) {
      const value: TensorProto = { dims: [...tensor.dims], dataType: tensor.dataType, rawData: tensor.bytes };
      this.nodes.push({ name: `${unique}_const`, opType: "Constant", input: [], output: [unique], attribute: [{ name: "value", type: AttributeType.TENSOR, t: value }] });
      return unique;
    }
    this.initializers.push({ name: unique, dims: [...tensor.dims], dataType: tensor.dataType, rawData: tensor.bytes });
    return unique;
  }

  /** A float32 constant, shared between all users of the same values and shape. */
  floats(values: number[] | Float32Array, dims: number[] = [values.length]): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    const key = `f:${dims.join("x")}:${Array.from(data).join(",")}`;
    return this.cached(key, () => this.initializer("const_f32", float32Tensor(dims, data)));
  }

  /** An int64 constant (shapes, axes, indices), shared like `floats`. */
  int64s(values: number[], dims: number[] = [values.length]): string {
    const key = `i:${dims.join("x")}:${values.join(",")}`;
    return this.cached(key, () => this.initializer("const_i64", int64Tensor(dims, values)));
  }

  scalarFloat(value: number): string {
    return this.floats([value], []);
  }

  scalarInt64(value: number): string {
    return this.int64s([value], []);
  }

  input(name: string, elemType: number, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    this.usedNames.add(name);
    return name;
  }

  /** Declares `tensor` a graph output named `name` (through an Identity when renamed). */
  output(name: string, tensor: string, elemType: number, dims: Dim[]): void {
    this.nodes.push({ name: `${name}_output`, opType: "Identity", input: [tensor], output: [name] });
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /**
   * States the shape of an intermediate tensor (value_info). Where the runtime's own shape
   * inference leaves a dimension unknown, a named one lets it see that two tensors have the same
   * size, which onnxruntime needs before it lets an operator write over its input in place.
   */
  declareShape(tensor: string, elemType: number, dims: Dim[]): void {
    this.shapes.push(valueInfo(tensor, elemType, dims));
  }

  build(graphName: string, metadata: Record<string, string> = {}, opset = DEFAULT_OPSET): ModelProto {
    return {
      irVersion: 8,
      producerName: "s3tokenizer",
      opsetImport: [{ domain: "", version: opset }, ...[...this.domains.keys()].map((domain) => ({ domain, version: 1 }))],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
        ...(this.shapes.length > 0 ? { valueInfo: this.shapes } : {}),
      },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    };
  }

  private cached(key: string, create: () => string): string {
    let name = this.constants.get(key);
    if (name === undefined) {
      name = create();
      this.constants.set(key, name);
    }
    return name;
  }

  private uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.usedNames.has(name); i++) name = `${base}_${i}`;
    this.usedNames.add(name);
    return name;
  }
}

function valueInfo(name: string, elemType: number, dims: Dim[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function encodeAttribute(name: string, value: AttributeValue): AttributeProto {
  if ("int" in value) return { name, type: AttributeType.INT, i: value.int };
  if ("float" in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ("ints" in value) return { name, type: AttributeType.INTS, ints: value.ints };
  if ("string" in value) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
  const t = value.tensor;
  return { name, type: AttributeType.TENSOR, t: { dims: [...t.dims], dataType: t.dataType, rawData: t.bytes } };
}

export { DataType };
