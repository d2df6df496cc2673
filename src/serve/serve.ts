/**
 * Starting the whole service: safety checks, then listen (so /healthz answers during a long model
 * load), then load the model, warm it up with one dummy utterance, and only then report ready.
 * Used by `s3tokenizer serve` and by tests that run the server in-process.
 */
import { existsSync } from "node:fs";
import { basename } from "node:path";
import type { Device } from "../runtime/session.js";
import { load } from "../registry/load.js";
import type { HubOptions } from "../hub/options.js";
import type { ModelMode } from "../models/s3/modelFile.js";
import { checkLongAudioFamily } from "../registry/longAudioCompat.js";
import { BearerAuth } from "./auth.js";
import type { BodyPace } from "./bodyPace.js";
import { checkBindSafety } from "./bind.js";
import { TokenizerHttpServer } from "./httpServer.js";
import { TokenizerService } from "./service.js";

export interface ServeOptions {
  /** Registry name or path of a released model file. */
  model: string;
  device?: Device;
  deviceId?: number;
  host: string;
  port: number;
  maxWaitMs: number;
  /** Padded mel frames per forward pass (the device's default when absent); a group gathers GROUP_PASSES passes' worth. */
  maxBatchFrames?: number;
  /** Model sessions running batches side by side (S3Tokenizer's `streams`). */
  streams?: number;
  maxAudioSeconds: number;
  maxBodyBytes: number;
  maxQueue: number;
  deadlineMs: number;
  tokenFile?: string;
  insecure: boolean;
  allowFfmpeg: boolean;
  featureWorkers?: number;
  /** Where and how models by name are fetched (--offline, --registry, --endpoint, --cache_dir). */
  hub?: HubOptions;
  mode?: ModelMode;
  /** S3, audio over 30 s: "s3tokenizer-0.3.0" cuts it as that release did (FamilyLoadOptions.longAudioCompat). */
  longAudioCompat?: string;
  /** The loader's options the families' own flags set (RepCodec's and k-means' layer, k-means' dedup). */
  familyLoad?: Readonly<Record<string, unknown>>;
  /** Limits on slow request bodies and headers (defaults in bodyPace.ts and httpServer.ts). */
  bodyPace?: BodyPace;
  headersTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ServeHandle {
  url: string;
  port: number;
  http: TokenizerHttpServer;
  /** Resolves once the model is loaded and warm; rejects when it cannot be loaded. */
  ready: Promise<TokenizerService>;
  /** Graceful stop (see TokenizerHttpServer.shutdown), then the model and threads released. */
  shutdown(): Promise<void>;
}

/** The name answers carry: a file's name without .onnx, or the registry name as given. */
export function modelDisplayName(model: string): string {
  return existsSync(model) ? basename(model).replace(/\.onnx$/i, "") : model;
}

export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const log = options.log ?? (() => undefined);
  // Refusals come before anything is bound or loaded.
  const auth = options.tokenFile === undefined ? null : BearerAuth.fromFile(options.tokenFile);
  checkBindSafety(options.host, auth !== null, options.insecure);
  const http = new TokenizerHttpServer({
    host: options.host,
    port: options.port,
    maxBodyBytes: options.maxBodyBytes,
    deadlineMs: options.deadlineMs,
    maxQueue: options.maxQueue,
    auth,
    modelName: modelDisplayName(options.model),
    bodyPace: options.bodyPace,
    headersTimeoutMs: options.headersTimeoutMs,
  });
  const address = await http.listen();
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log(`listening on ${url}${auth ? " (bearer token required)" : ""}; loading ${options.model}`);

  let service: TokenizerService | null = null;
  const ready = (async () => {
    const loadStart = performance.now();
    const tokenizer = await load(options.model, {
      ...options.familyLoad,
      ...options.hub,
      mode: options.mode,
      longAudioCompat: options.longAudioCompat,
      device: options.device,
      deviceId: options.deviceId,
      maxBatchFrames: options.maxBatchFrames,
      streams: options.streams,
    });
    try {
      checkLongAudioFamily(tokenizer, options.longAudioCompat, options.model);
    } catch (error) {
      await tokenizer.dispose();
      throw error;
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;
    service = new TokenizerService(
      tokenizer,
      {
        maxWaitMs: options.maxWaitMs,
        maxQueue: options.maxQueue,
        maxAudioSeconds: options.maxAudioSeconds,
        allowFfmpeg: options.allowFfmpeg,
        featureWorkers: options.featureWorkers,
      },
      true,
    );
    const warmStart = performance.now();
    await service.warmUp();
    const warmSeconds = (performance.now() - warmStart) / 1000;
    http.metrics.modelLoadSeconds.set(loadSeconds);
    http.metrics.warmUpSeconds.set(warmSeconds);
    http.setService(service);
    log(`ready: ${tokenizer.family} model, ${tokenizer.codebooks} row${tokenizer.codebooks === 1 ? "" : "s"} at ${tokenizer.frameRate} frames/s, loaded in ${loadSeconds.toFixed(1)} s, warmed up in ${warmSeconds.toFixed(2)} s`);
    return service;
  })();
  // A failed load is reported through `ready`; keep it from counting as unhandled meanwhile.
  ready.catch(() => undefined);

  return {
    url,
    port: address.port,
    http,
    ready,
    shutdown: async () => {
      await http.shutdown();
      await ready.catch(() => undefined);
      await (service as TokenizerService | null)?.close();
    },
  };
}
