/**
 * The HTTP front of TokenizerService, on node:http directly. Five routes do not need a framework,
 * and the limits need control a framework's body parser takes away: Content-Length refused before
 * reading, the stream counted and abandoned mid-way, 100-continue answered only for acceptable
 * uploads, the AbortSignal tied to the socket. No third-party code sees a request.
 *
 * Routes: POST /v1/tokenize, POST /v1/detokenize (codes to WAV; 501 for a family without a
 * decoder), GET /healthz (alive), GET /readyz (model loaded and warm), GET /metrics (Prometheus).
 * Checks in order: route (404), method (405), token (401; probes are exempt), then the route's
 * own. The server listens before the model is loaded, so /healthz answers during a long load
 * while /readyz and the POST routes answer 503. Both POST routes share the body limits, the
 * deadline, the queue admission and the graceful drain (withBody).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { encodeWav } from "../audio/wavWrite.js";
import { QueueFullError } from "../pipeline/dynamicBatcher.js";
import type { BearerAuth } from "./auth.js";
import { checkAnnouncedLength, discardRest, readBody, type BodyRules } from "./body.js";
import type { BodyPace } from "./bodyPace.js";
import { detokenizeFormat, parseDetokenizeBody } from "./detokenize.js";
import { detokenizeBodyRules } from "./detokenizeLimits.js";
import { ENCODE_QUERY_KEYS, encodeQuery } from "./encodeQuery.js";
import { ClientClosedError, DeadlineExceededError, NoDecoderError } from "./errors.js";
import { HttpError, RETRY_AFTER_S, toHttpError } from "./httpError.js";
import { ServeMetrics, type DropReason } from "./metrics.js";
import { rawPcmSpec } from "./rawPcm.js";
import { sendBytes, sendError, sendJson } from "./respond.js";
import type { TokenizerService } from "./service.js";
import { tokenizeAnswer } from "./tokenizeAnswer.js";

export interface HttpServerConfig {
  host: string;
  port: number;
  /** Largest request body in bytes. */
  maxBodyBytes: number;
  /** Per-request deadline from arrival to answer. */
  deadlineMs: number;
  /** Most tokenize requests in progress that are not in the model's running group. */
  maxQueue: number;
  /** Required bearer token, or null for none. */
  auth: BearerAuth | null;
  /** The model's name in answers. */
  modelName: string;
  /** How long an idle keep-alive connection is kept (default: Node's, 5 s). */
  keepAliveTimeoutMs?: number;
  /** Stalled and crawling bodies are cut off (default DEFAULT_BODY_PACE). */
  bodyPace?: BodyPace;
  /** Longest time to receive a request's headers (default 10 s; Node's own is 60 s). */
  headersTimeoutMs?: number;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

type RouteName = "tokenize" | "detokenize" | "healthz" | "readyz" | "metrics";

const ROUTES: Record<string, { name: RouteName; methods: readonly string[]; open: boolean }> = {
  "/v1/tokenize": { name: "tokenize", methods: ["POST"], open: false },
  "/v1/detokenize": { name: "detokenize", methods: ["POST"], open: false },
  // Probes carry no credentials in most orchestrators, and say nothing but up/ready.
  "/healthz": { name: "healthz", methods: ["GET", "HEAD"], open: true },
  "/readyz": { name: "readyz", methods: ["GET", "HEAD"], open: true },
  // Metrics reveal traffic: behind the token like tokenize.
  "/metrics": { name: "metrics", methods: ["GET", "HEAD"], open: false },
};

function dropReason(reason: unknown): DropReason {
  if (reason instanceof ClientClosedError) return "client_closed";
  if (reason instanceof DeadlineExceededError) return "deadline";
  return "other";
}

export class TokenizerHttpServer {
  readonly metrics: ServeMetrics;
  private readonly config: HttpServerConfig;
  private readonly server: Server;
  private service: TokenizerService | null = null;
  /** Tokenize and detokenize requests between arrival and a flushed answer. */
  private active = 0;
  /** Of those, the ones whose body is still arriving. */
  private receiving = 0;
  private drainWaiters: (() => void)[] = [];
  private draining = false;
  private shutdownPromise: Promise<void> | null = null;
  /** Requests seen per connection, to tell an idle keep-alive connection from a busy one. */
  private readonly requestCounts = new WeakMap<Socket, number>();

  constructor(config: HttpServerConfig) {
    this.config = config;
    this.metrics = new ServeMetrics(() => this.active);
    this.metrics.ready.set(0);
    // Node looks for expired header (and request) timers only every connectionsCheckingInterval
    // (30 s by default), which would let slow headers live far past headersTimeout.
    const headersTimeout = config.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    this.server = createServer({ connectionsCheckingInterval: Math.min(1000, headersTimeout) }, (req, res) => void this.handle(req, res));
    if (config.keepAliveTimeoutMs !== undefined) this.server.keepAliveTimeout = config.keepAliveTimeoutMs;
    // Headers trickled in byte by byte hold a connection too: Node answers 408 past this.
    this.server.headersTimeout = headersTimeout;
    this.server.on("timeout", (socket: Socket) => this.onIdleTimeout(socket));
    // curl and others ask before a large upload; a request that will be refused is refused then,
    // so its body is never sent.
    this.server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
      this.countRequest(req); // (counted again in handle(): only a change matters)
      const early = this.earlyRejection(req);
      if (early === null) {
        res.writeContinue();
        void this.handle(req, res);
        return;
      }
      this.record(req, early.status, performance.now());
      // The client sends no body after a final answer to Expect: close rather than wait for one.
      res.setHeader("connection", "close");
      void sendError(res, early);
    });
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off("error", reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** The model is loaded and warm: tokenize requests are taken from now on. */
  setService(service: TokenizerService): void {
    this.service = service;
    this.metrics.watch(service.batcher);
    service.onDrop((stage, reason) => this.metrics.dropped.inc({ reason: dropReason(reason), stage }));
    if (!this.draining) this.metrics.ready.set(1);
  }

  /**
   * Graceful stop: no new connections, /readyz 503, every request already received answered
   * (queued ones included), then the remaining keep-alive connections closed.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.draining = true;
      this.metrics.ready.set(0);
      // The listener stays open while requests drain, so probes get /readyz 503 (and new tokenize
      // requests a 503 to retry elsewhere) instead of a refused connection; every answer now
      // carries Connection: close.
      this.server.closeIdleConnections();
      if (this.active > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
      await this.service?.idle();
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await closed;
    })();
    return this.shutdownPromise;
  }

  /** Tokenize requests received and not answered yet. */
  get inProgress(): number {
    return this.active;
  }

  /**
   * A keep-alive connection's idle timer fired. Inference runs synchronously on this thread, so
   * after a long forward pass the timer can fire before the next request, already waiting in the
   * kernel, has been read; Node would then close a busy connection and the client would see a
   * reset. The decision is deferred past the next poll phase (setImmediate), when that request has
   * been read if there is one.
   */
  private onIdleTimeout(socket: Socket): void {
    const seen = this.requestCounts.get(socket) ?? 0;
    setImmediate(() => {
      if ((this.requestCounts.get(socket) ?? 0) === seen) socket.destroy();
    });
  }

  private countRequest(req: IncomingMessage): void {
    this.requestCounts.set(req.socket, (this.requestCounts.get(req.socket) ?? 0) + 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    this.countRequest(req);
    if (this.draining) res.setHeader("connection", "close");
    let error: HttpError | null = null;
    try {
      error = this.earlyRejection(req);
      if (error === null) {
        const route = ROUTES[this.path(req)]!;
        if (route.name === "tokenize") return await this.tokenize(req, res, started);
        if (route.name === "detokenize") return await this.detokenize(req, res, started);
        if (route.name === "healthz") return this.finish(req, res, started, 200, { status: "alive" });
        if (route.name === "readyz") return this.readyz(req, res, started);
        return await this.scrape(req, res, started);
      }
    } catch (thrown) {
      error = toHttpError(thrown);
    }
    if (error !== null) {
      this.record(req, error.status, started);
      await sendError(res, error);
      discardRest(req);
    }
  }

  private path(req: IncomingMessage): string {
    try {
      return new URL(req.url ?? "/", "http://service").pathname;
    } catch {
      return "";
    }
  }

  /** 404, 405, 401, or for a POST route a body that is too large by its Content-Length; null to go on. */
  private earlyRejection(req: IncomingMessage): HttpError | null {
    const path = this.path(req);
    const route = ROUTES[path];
    if (!route) return new HttpError(404, "not_found", `no route ${JSON.stringify(path)}; this service has POST /v1/tokenize, POST /v1/detokenize, GET /healthz, /readyz, /metrics`);
    if (!route.methods.includes(req.method ?? "")) {
      return new HttpError(405, "method_not_allowed", `${req.method} is not allowed on ${path}; use ${route.methods.join(" or ")}`, { allow: route.methods.join(", ") });
    }
    if (!route.open && this.config.auth !== null && !this.config.auth.check(req.headers.authorization)) {
      return new HttpError(401, "unauthorized", "missing or wrong bearer token: send Authorization: Bearer <token>", { "www-authenticate": 'Bearer realm="s3tokenizer"' });
    }
    if (route.name === "tokenize" || route.name === "detokenize") {
      try {
        checkAnnouncedLength(req, this.config.maxBodyBytes);
      } catch (error) {
        return toHttpError(error);
      }
    }
    return null;
  }

  private readyz(req: IncomingMessage, res: ServerResponse, started: number): Promise<void> {
    if (this.draining) return this.fail(req, res, started, new HttpError(503, "shutting_down", "the server is shutting down"));
    if (this.service === null) {
      return this.fail(req, res, started, new HttpError(503, "not_ready", "the model is still loading", { "retry-after": String(RETRY_AFTER_S) }));
    }
    return this.finish(req, res, started, 200, { status: "ready", model: this.config.modelName });
  }

  private async scrape(req: IncomingMessage, res: ServerResponse, started: number): Promise<void> {
    const text = await this.metrics.registry.metrics();
    this.record(req, 200, started);
    res.writeHead(200, { "content-type": this.metrics.registry.contentType, "content-length": String(Buffer.byteLength(text)) });
    res.end(text);
  }

  /** The service, or the 503 a POST route answers while loading or draining. */
  private readyService(): TokenizerService {
    if (this.draining) throw new HttpError(503, "shutting_down", "the server is shutting down; retry on another instance", { "retry-after": String(RETRY_AFTER_S) });
    if (this.service === null) throw new HttpError(503, "not_ready", "the model is still loading", { "retry-after": String(RETRY_AFTER_S) });
    return this.service;
  }

  private async tokenize(req: IncomingMessage, res: ServerResponse, started: number): Promise<void> {
    const service = this.readyService();
    const query = new URL(req.url ?? "/", "http://service").searchParams;
    const pcm = rawPcmSpec(query, ENCODE_QUERY_KEYS) ?? undefined;
    const encode = encodeQuery(query, service.tokenizer);
    await this.withBody(req, res, started, service, { limit: this.config.maxBodyBytes }, async (bytes, signal) => {
      const result = await service.tokenizeBytes(bytes, { signal, pcm, encode, transfer: true, source: "request body" });
      this.metrics.audioSeconds.inc(result.audioSeconds);
      await this.finish(req, res, started, 200, tokenizeAnswer(result, service.tokenizer, this.config.modelName));
    });
  }

  private async detokenize(req: IncomingMessage, res: ServerResponse, started: number): Promise<void> {
    const service = this.readyService();
    const model = service.tokenizer;
    // Refused before the body is read: no body can make this model decode.
    if (!model.decode) throw new NoDecoderError(this.config.modelName, model.family);
    const format = detokenizeFormat(new URL(req.url ?? "/", "http://service").searchParams);
    const rules = detokenizeBodyRules(model, service.maxAudioSeconds, this.config.maxBodyBytes);
    await this.withBody(req, res, started, service, rules, async (bytes, signal) => {
      const codes = parseDetokenizeBody(bytes, model, service.maxAudioSeconds);
      const { audio, audioSeconds } = await service.detokenize(codes, { signal });
      this.metrics.decodedAudioSeconds.inc(audioSeconds);
      this.record(req, res.destroyed ? 499 : 200, started);
      await sendBytes(res, 200, encodeWav(audio, model.sampleRate, format, model.channels), "audio/wav");
    });
  }

  /**
   * A POST route's life: admission, the body read under the route's rules (size limit, checks of
   * each piece) and the pace, the deadline and the client's disconnect tied to one AbortSignal,
   * `handle` run on the body, any error answered, and the graceful drain told when the last
   * request is done.
   */
  private async withBody(
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
    service: TokenizerService,
    rules: BodyRules,
    handle: (bytes: Uint8Array, signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    // Admission counts requests whose body has arrived and that are not yet in the running group.
    // A body still arriving holds no slot (slow uploads are bounded by the body pace instead), so
    // clients trickling bytes cannot fill the queue; it is checked now to refuse early, and again
    // once the body is in.
    // `self` is 1 once this request counts among the active ones whose body is in: it waits
    // behind the others, not behind itself.
    const admit = (self: 0 | 1) => {
      const waitingAhead = this.active - this.receiving - service.batcher.inFlight - self;
      if (waitingAhead >= this.config.maxQueue) throw new QueueFullError(this.config.maxQueue);
    };
    admit(0);

    this.active++;
    this.receiving++;
    const controller = new AbortController();
    const { signal } = controller;
    const deadline = setTimeout(() => controller.abort(new DeadlineExceededError(this.config.deadlineMs)), this.config.deadlineMs);
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new ClientClosedError());
    };
    res.on("close", onClose);
    let receiving = true;
    try {
      const bytes = await readBody(req, rules, signal, this.config.bodyPace);
      if (signal.aborted) throw signal.reason;
      receiving = false;
      this.receiving--;
      admit(1);
      await handle(bytes, signal);
    } catch (thrown) {
      if (receiving && signal.aborted) this.metrics.dropped.inc({ reason: dropReason(signal.reason), stage: "receiving" });
      await this.fail(req, res, started, toHttpError(thrown));
      discardRest(req);
    } finally {
      clearTimeout(deadline);
      res.off("close", onClose);
      if (receiving) this.receiving--;
      this.active--;
      if (this.active === 0) {
        const waiters = this.drainWaiters;
        this.drainWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  private finish(req: IncomingMessage, res: ServerResponse, started: number, status: number, body: unknown): Promise<void> {
    this.record(req, res.destroyed ? 499 : status, started);
    return sendJson(res, status, body);
  }

  private fail(req: IncomingMessage, res: ServerResponse, started: number, error: HttpError): Promise<void> {
    this.record(req, res.destroyed ? 499 : error.status, started);
    return sendError(res, error);
  }

  private record(req: IncomingMessage, status: number, started: number): void {
    const route = ServeMetrics.routeLabel(this.path(req));
    this.metrics.requests.inc({ route, status: String(status) });
    this.metrics.latency.observe({ route }, (performance.now() - started) / 1000);
  }
}
