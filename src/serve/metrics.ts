/**
 * The service's Prometheus metrics (prom-client). Each server gets its own Registry rather than
 * prom-client's global one, so several servers in one process (tests, embedding) never collide.
 * Gauges that mirror live state (queue depth, requests in progress) are read at scrape time.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { DynamicBatcher } from "../pipeline/dynamicBatcher.js";

/** What the metrics read of a batcher, whatever it batches. */
type WatchedBatcher = Pick<DynamicBatcher<unknown, unknown>, "queueDepth" | "onGroup">;

/** Routes used as label values; anything else is "other", so random paths cannot blow up cardinality. */
export const KNOWN_ROUTES = ["/v1/tokenize", "/v1/detokenize", "/healthz", "/readyz", "/metrics"] as const;

export type DropReason = "client_closed" | "deadline" | "other";

export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"route" | "status">;
  readonly latency: Histogram<"route">;
  readonly batchSize: Histogram;
  readonly batchFrames: Histogram;
  readonly audioSeconds: Counter;
  readonly decodedAudioSeconds: Counter;
  readonly dropped: Counter<"reason" | "stage">;
  readonly modelLoadSeconds: Gauge;
  readonly warmUpSeconds: Gauge;
  readonly ready: Gauge;
  private batcher: WatchedBatcher | null = null;

  constructor(inProgress: () => number) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: "s3tokenizer_http_requests_total",
      help: "HTTP requests answered, by route and status code",
      labelNames: ["route", "status"],
      registers,
    });
    this.latency = new Histogram({
      name: "s3tokenizer_http_request_duration_seconds",
      help: "Time from a request's arrival to its answer",
      labelNames: ["route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.batchSize = new Histogram({
      name: "s3tokenizer_batch_size",
      help: "Utterances per group sent through the model together",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers,
    });
    this.batchFrames = new Histogram({
      name: "s3tokenizer_batch_frames",
      help: "Mel frames per group sent through the model together",
      buckets: [500, 1000, 3000, 6000, 12_000, 24_000, 48_000, 96_000],
      registers,
    });
    this.audioSeconds = new Counter({
      name: "s3tokenizer_audio_seconds_total",
      help: "Seconds of audio tokenized and answered",
      registers,
    });
    this.decodedAudioSeconds = new Counter({
      name: "s3tokenizer_decoded_audio_seconds_total",
      help: "Seconds of audio produced by /v1/detokenize and answered",
      registers,
    });
    this.dropped = new Counter({
      name: "s3tokenizer_requests_dropped_total",
      help: "Requests whose work was dropped, by reason and by where the work was (receiving, decoding, queued, running)",
      labelNames: ["reason", "stage"],
      registers,
    });
    this.modelLoadSeconds = new Gauge({ name: "s3tokenizer_model_load_seconds", help: "Time to load the model", registers });
    this.warmUpSeconds = new Gauge({ name: "s3tokenizer_warmup_seconds", help: "Time of the warm-up utterance", registers });
    this.ready = new Gauge({ name: "s3tokenizer_ready", help: "1 once the model is loaded and warmed up, else 0", registers });
    const self = this;
    new Gauge({
      name: "s3tokenizer_queue_depth",
      help: "Utterances decoded and waiting for the model",
      registers,
      collect() {
        this.set(self.batcher?.queueDepth ?? 0);
      },
    });
    new Gauge({
      name: "s3tokenizer_requests_in_progress",
      help: "Tokenize and detokenize requests received and not yet answered (receiving, decoding, queued or running)",
      registers,
      collect() {
        this.set(inProgress());
      },
    });
  }

  /** Starts reporting the batcher's queue depth and group sizes. */
  watch(batcher: WatchedBatcher): void {
    this.batcher = batcher;
    batcher.onGroup((size, frames) => {
      this.batchSize.observe(size);
      this.batchFrames.observe(frames);
    });
  }

  static routeLabel(path: string): string {
    return (KNOWN_ROUTES as readonly string[]).includes(path) ? path : "other";
  }
}
