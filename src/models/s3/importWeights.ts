/**
 * Imports the weights of a released S3Tokenizer ONNX file by graph structure: node names, op
 * types, input positions and ranks, never one release's numbered initializer names. Every
 * dimension is inferred from the file. Anything missing is a ModelStructureError naming it.
 */
import { ModelStructureError } from "../../errors.js";
import type {
  BlockWeights,
  ConvWeights,
  LayerNormWeights,
  LinearWeights,
  ModelVersion,
  QuantizerWeights,
  S3Weights,
} from "./weights.js";
import { VQ_CODEBOOK_NODE } from "./tokenizerGraph.js";
import { floatAttribute, GraphIndex, intsAttribute } from "../../onnx/graphIndex.js";
import { asFloat32, asIntegers, type TensorData } from "../../onnx/tensor.js";
import type { ModelProto, NodeProto } from "../../onnx/types.js";

/** LayerNorm epsilon of the releases, used when a file does not state one. */
const DEFAULT_LN_EPSILON = 1e-5;
/** FSQ pre-rounding scale: the float32 nearest 0.999, as the releases store it. */
const DEFAULT_FSQ_SCALE = Math.fround(0.999);

export function importWeights(model: ModelProto, source: string): S3Weights {
  if (!model.graph) throw new ModelStructureError(source, "a graph");
  const graph = new GraphIndex(model.graph, source);

  const conv1 = importConv(graph, "/conv1/Conv", true);
  const conv2 = importConv(graph, "/conv2/Conv", true);
  const conv1Node = graph.requireNode("/conv1/Conv", "Conv");
  const conv1Stride = intsAttribute(conv1Node, "strides")?.[0] ?? 1;
  const [width, nMels] = conv1.weight.dims as [number, number];

  const layers = countBlocks(graph);
  if (layers === 0) throw new ModelStructureError(source, "node /blocks.0/attn/query/MatMul (MatMul)");
  const blocks: BlockWeights[] = [];
  for (let i = 0; i < layers; i++) blocks.push(importBlock(graph, i));
  const heads = inferHeadCount(graph);
  if (width % heads !== 0) {
    throw new ModelStructureError(source, "a head count dividing the width", `width ${width}, heads ${heads}`);
  }

  const quantizer = importQuantizer(graph);
  const hasFsmn = blocks.every((b) => b.fsmn !== undefined);
  let version: ModelVersion;
  if (quantizer.kind === "vq") {
    version = "v1";
  } else {
    if (!hasFsmn) throw new ModelStructureError(source, "node /blocks.N/attn/fsmn_block/Conv (Conv)", "FSQ model without FSMN");
    // v2 and v3 compute the same function; the v3 release is told apart by its 12 blocks and by
    // weights stored as Constant nodes, which only its exporter produced.
    version = layers >= 12 || usesConstantNodeWeights(graph, layers) ? "v3" : "v2";
  }

  const positionalEmbedding = version === "v1" ? findPositionTable(graph, width) : undefined;
  if (version === "v1" && !positionalEmbedding) {
    throw new ModelStructureError(source, "the positional embedding table", `a constant [frames, ${width}] sliced in /encoder`);
  }

  const codebookSize = quantizer.kind === "vq" ? quantizer.codebook.dims[1]! : quantizer.levels ** 8;
  return {
    version,
    dims: {
      nMels,
      width,
      heads,
      headDim: width / heads,
      layers,
      mlpWidth: blocks[0]!.mlpUp.weight.dims[1]!,
      conv1Stride,
      codebookSize,
      tokenRate: 100 / (conv1Stride * 2),
    },
    conv1,
    conv2,
    positionalEmbedding,
    blocks,
    quantizer,
  };
}

function importConv(graph: GraphIndex, nodeName: string, withBias: boolean): ConvWeights {
  const node = graph.requireNode(nodeName, "Conv");
  const weight = graph.requireConstantInput(node, [1], 3, `weight of ${nodeName}`);
  const bias = withBias ? graph.requireConstantInput(node, [2], 1, `bias of ${nodeName}`) : undefined;
  return { weight, bias };
}

function countBlocks(graph: GraphIndex): number {
  let count = 0;
  while (graph.findNode(`/blocks.${count}/attn/query/MatMul`)) count++;
  return count;
}

function importLinear(graph: GraphIndex, prefix: string, withBias: boolean): LinearWeights {
  const matmul = graph.requireNode(`${prefix}/MatMul`, "MatMul");
  const weight = graph.requireConstantInput(matmul, [1, 0], 2, `weight of ${prefix}`);
  if (!withBias) return { weight };
  const add = graph.requireNode(`${prefix}/Add`, "Add");
  const bias = graph.requireConstantInput(add, [0, 1], 1, `bias of ${prefix}`);
  return { weight, bias };
}

/** LayerNorm as one fused node, or decomposed (scale in …/Mul, bias in …/Add_1, eps in …/Add). */
function importLayerNorm(graph: GraphIndex, prefix: string): LayerNormWeights {
  const fused = graph.findNode(`${prefix}/LayerNormalization`);
  if (fused) {
    return {
      scale: graph.requireConstantInput(fused, [1], 1, `scale of ${prefix}`),
      bias: graph.requireConstantInput(fused, [2], 1, `bias of ${prefix}`),
      epsilon: floatAttribute(fused, "epsilon") ?? DEFAULT_LN_EPSILON,
    };
  }
  const mul = graph.requireNode(`${prefix}/Mul`, "Mul");
  const addBias = graph.requireNode(`${prefix}/Add_1`, "Add");
  const addEps = graph.findNode(`${prefix}/Add`);
  const eps = addEps ? constantScalar(graph, addEps) : undefined;
  return {
    scale: graph.requireConstantInput(mul, [1, 0], 1, `scale of ${prefix}`),
    bias: graph.requireConstantInput(addBias, [1, 0], 1, `bias of ${prefix}`),
    epsilon: eps ?? DEFAULT_LN_EPSILON,
  };
}

function constantScalar(graph: GraphIndex, node: NodeProto): number | undefined {
  for (const input of node.input) {
    const value = graph.constantValue(input);
    if (value && value.dims.length === 0 && value.dataType === 1) return asFloat32(value)[0];
  }
  return undefined;
}

function importBlock(graph: GraphIndex, index: number): BlockWeights {
  const p = `/blocks.${index}`;
  const fsmnNode = graph.findNode(`${p}/attn/fsmn_block/Conv`);
  return {
    attnLn: importLayerNorm(graph, `${p}/attn_ln`),
    query: importLinear(graph, `${p}/attn/query`, true),
    key: importLinear(graph, `${p}/attn/key`, false),
    value: importLinear(graph, `${p}/attn/value`, true),
    out: importLinear(graph, `${p}/attn/out`, true),
    fsmn: fsmnNode ? importConv(graph, `${p}/attn/fsmn_block/Conv`, false) : undefined,
    mlpLn: importLayerNorm(graph, `${p}/mlp_ln`),
    mlpUp: importLinear(graph, `${p}/mlp/mlp.0`, true),
    mlpDown: importLinear(graph, `${p}/mlp/mlp.2`, true),
  };
}

/**
 * The head count is the third entry of the query reshape's target shape [B, T, heads, -1]: a
 * constant, or the Concat that builds it in the releases (falling back to /blocks.0/attn/Constant_1).
 */
function inferHeadCount(graph: GraphIndex): number {
  const reshape = graph.findNode("/blocks.0/attn/Reshape");
  // A constant target shape [0, 0, heads, headDim] (this project's own graphs).
  const constantShape = reshape?.input[1] ? graph.constantValue(reshape.input[1]) : undefined;
  if (constantShape && constantShape.dims[0] === 4) {
    const heads = asIntegers(constantShape)[2];
    if (heads !== undefined && heads > 0) return heads;
  }
  // The releases build [B, T, heads, -1] with a Concat of shape pieces and constants.
  const concat = reshape?.input[1] ? graph.producerOf(reshape.input[1]) : undefined;
  if (concat?.opType === "Concat" && concat.input.length === 4) {
    const value = graph.constantValue(concat.input[2]!);
    const heads = value ? asIntegers(value)[0] : undefined;
    if (heads !== undefined && heads > 0) return heads;
  }
  const fallback = graph.findNode("/blocks.0/attn/Constant_1");
  const value = fallback?.output[0] ? graph.constantValue(fallback.output[0]) : undefined;
  const heads = value ? asIntegers(value)[0] : undefined;
  if (heads === undefined || heads <= 0) {
    throw new ModelStructureError(graph.source, "the attention head count", "reshape constant of /blocks.0/attn/Reshape");
  }
  return heads;
}

function importQuantizer(graph: GraphIndex): QuantizerWeights {
  const vq = graph.findNode(VQ_CODEBOOK_NODE);
  if (vq) {
    return { kind: "vq", codebook: graph.requireConstantInput(vq, [1, 0], 2, "the VQ codebook") };
  }
  const projection = [...graph.nodes].find(
    (n) => n.opType === "MatMul" && (n.name ?? "").startsWith("/quantizer/") &&
      n.input.some((i) => graph.constantValue(i)?.dims.length === 2),
  );
  if (!projection) {
    throw new ModelStructureError(graph.source, `a quantizer (node ${VQ_CODEBOOK_NODE} or a MatMul under /quantizer/)`);
  }
  const weight = graph.requireConstantInput(projection, [1, 0], 2, "the FSQ projection weight");
  const add = graph.consumersOf(projection.output[0]!).find((n) => n.opType === "Add");
  if (!add) throw new ModelStructureError(graph.source, "the FSQ projection bias", `an Add after ${projection.name}`);
  const bias = graph.requireConstantInput(add, [1, 0], 1, "the FSQ projection bias");
  return { kind: "fsq", projection: { weight, bias }, scale: findFsqScale(graph) ?? DEFAULT_FSQ_SCALE, levels: 3 };
}

/** The scalar that multiplies tanh(...) before rounding, if the file states it. */
function findFsqScale(graph: GraphIndex): number | undefined {
  const tanh = [...graph.nodes].find((n) => n.opType === "Tanh");
  const mul = tanh ? graph.consumersOf(tanh.output[0]!).find((n) => n.opType === "Mul") : undefined;
  return mul ? constantScalar(graph, mul) : undefined;
}

function usesConstantNodeWeights(graph: GraphIndex, layers: number): boolean {
  for (let i = 0; i < layers; i++) {
    const add = graph.findNode(`/blocks.${i}/attn/query/Add`);
    if (add?.input.some((name) => graph.isConstantNodeOutput(name))) return true;
  }
  return false;
}

/** v1's position table: the constant [frames, D] that /encoder slices before the first block. */
function findPositionTable(graph: GraphIndex, width: number): TensorData | undefined {
  for (const node of graph.nodes) {
    if (node.opType !== "Slice" || !(node.name ?? "").startsWith("/encoder/")) continue;
    const table = graph.constantValue(node.input[0]!);
    if (table && table.dims.length === 2 && table.dims[1] === width) return table;
  }
  return undefined;
}
