/**
 * The seam between the models and an onnxruntime: the models build their graphs and feed their
 * tensors through a RuntimeBackend, so the same model classes run on onnxruntime-node in Node
 * (runtime/session.ts: worker-thread session streams) and on onnxruntime-web in a page
 * (web/runtime.ts: WebAssembly or WebGPU sessions on the page's thread). Nothing here imports a
 * runtime: the backend brings its own `ort` module, since a Tensor of one onnxruntime package is
 * not accepted by the other's sessions.
 */
import type * as Ort from "onnxruntime-common";
import type { ModelProto } from "../onnx/types.js";
import type { RuntimeOptions } from "./options.js";
import type { Feeds, Fetched } from "./tensors.js";

/** The parts of an onnxruntime package (onnxruntime-node or onnxruntime-web) the models use. */
export interface OrtModule {
  Tensor: typeof Ort.Tensor;
  InferenceSession: typeof Ort.InferenceSession;
}

export type OrtSession = Ort.InferenceSession;
export type OrtTensor = Ort.Tensor;
export type OrtSessionOptions = Ort.InferenceSession.SessionOptions;

/**
 * When the sessions of a GraphRunner after the first open: "background" (default), right after
 * the first, so they are ready when batches come (a service); "on-demand", when a batch waits and
 * every open session is busy, so a short job never opens them (the corpus job).
 */
export type LaterStreams = "background" | "on-demand";

/** Sessions of one graph that run forward passes: host tensors in, named outputs out. */
export interface GraphRunner {
  /** Sessions open now (batches that can run at once). */
  readonly size: number;
  /**
   * One forward pass on the next free session: `feeds` by input name (their buffers may be
   * transferred: the caller must not reuse them), answering the named `outputs`.
   */
  run(feeds: Feeds, outputs: readonly string[]): Promise<Fetched>;
  close(): Promise<void>;
}

export interface RuntimeBackend {
  /** "node" (onnxruntime-node) or "web" (onnxruntime-web). */
  readonly platform: "node" | "web";
  /** The onnxruntime package whose Tensor the sessions below accept. */
  readonly ort: OrtModule;
  /** Hardware threads this backend may use (defaults for intra-op threads and streams). */
  threads(): number;
  /**
   * Opens a session on model bytes (or, in Node, a file path); `source` names the model in the
   * typed errors (DeviceUnavailableError, ModelFormatError). `extra` overrides session settings.
   */
  openSession(model: Uint8Array | string, options: RuntimeOptions, source: string, extra?: OrtSessionOptions): Promise<OrtSession>;
  /**
   * Opens a session on a graph built in memory, its large weights handed over as external data so
   * that the runtime reads each tensor once instead of parsing a protobuf copy of every weight:
   * Node writes them to a scratch file beside the graph (runtime/fileSession.ts), a page packs
   * them into one blob.
   */
  openGraph(graph: ModelProto, options: RuntimeOptions, source: string, extra?: OrtSessionOptions): Promise<OrtSession>;
  /**
   * Opens `count` sessions of one graph that run batches side by side (where the platform can);
   * `extra` as for openSession (e.g. the graph's external data); `later`: when the sessions after
   * the first open (LaterStreams).
   */
  openStreams(model: Uint8Array | string, options: RuntimeOptions, source: string, count: number, extra?: OrtSessionOptions, later?: LaterStreams): Promise<GraphRunner>;
}
