/**
 * Recording from the microphone into bytes the project's decoders read. MediaRecorder is used
 * where it records Ogg Opus (Firefox), which ogg-opus-decoder reads; elsewhere (Chromium records
 * WebM, which no project decoder reads) the raw samples are captured with an AudioWorklet and
 * written as a 32-bit float WAV at the device's rate, so no resampling happens outside the
 * project's resampler.
 */
import { encodeWav } from "../../src/audio/wavWrite.js";

export interface Recording {
  bytes: Uint8Array;
  /** A file name whose extension says the format ("recording-1.ogg" or "recording-1.wav"). */
  extension: "ogg" | "wav";
}

export interface ActiveRecorder {
  /** Stops the microphone and gives what was recorded. */
  stop(): Promise<Recording>;
}

const OGG_OPUS = "audio/ogg;codecs=opus";

/** The worklet: posts each block of the first input channel's samples (float32 [128]) to the page. */
const CAPTURE_WORKLET = `
registerProcessor("s3tok-capture", class extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) this.port.postMessage(channel.slice(0));
    return true;
  }
});`;

async function recordOggOpus(stream: MediaStream): Promise<ActiveRecorder> {
  const recorder = new MediaRecorder(stream, { mimeType: OGG_OPUS });
  const chunks: Blob[] = [];
  recorder.addEventListener("dataavailable", (event) => chunks.push(event.data));
  recorder.start();
  return {
    stop: () =>
      new Promise<Recording>((done, fail) => {
        recorder.addEventListener("stop", () => {
          stream.getTracks().forEach((track) => track.stop());
          new Blob(chunks, { type: OGG_OPUS }).arrayBuffer().then((buffer) => done({ bytes: new Uint8Array(buffer), extension: "ogg" }), fail);
        });
        recorder.stop();
      }),
  };
}

async function recordPcm(stream: MediaStream): Promise<ActiveRecorder> {
  const context = new AudioContext();
  const moduleUrl = URL.createObjectURL(new Blob([CAPTURE_WORKLET], { type: "text/javascript" }));
  try {
    await context.audioWorklet.addModule(moduleUrl);
  } finally {
    URL.revokeObjectURL(moduleUrl);
  }
  const source = context.createMediaStreamSource(stream);
  const capture = new AudioWorkletNode(context, "s3tok-capture", { numberOfInputs: 1, numberOfOutputs: 0 });
  const blocks: Float32Array[] = [];
  capture.port.onmessage = (event: MessageEvent<Float32Array>) => blocks.push(event.data);
  source.connect(capture);
  return {
    async stop() {
      source.disconnect();
      capture.port.onmessage = null;
      stream.getTracks().forEach((track) => track.stop());
      const sampleRate = context.sampleRate;
      await context.close();
      const samples = new Float32Array(blocks.reduce((n, b) => n + b.length, 0)); // [samples] at sampleRate
      let at = 0;
      for (const block of blocks) {
        samples.set(block, at);
        at += block.length;
      }
      return { bytes: encodeWav(samples, sampleRate, "f32"), extension: "wav" };
    },
  };
}

/** Starts recording (asks for the microphone); stop() gives the bytes. */
export async function startRecording(): Promise<ActiveRecorder> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error("this browser gives no microphone access here (it needs a secure page: https or 127.0.0.1)");
  // Raw speech: the browser's voice processing would change the tokens.
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 } });
  try {
    if (typeof MediaRecorder !== "undefined" && MediaRecorder.isTypeSupported(OGG_OPUS)) return await recordOggOpus(stream);
    return await recordPcm(stream);
  } catch (error) {
    stream.getTracks().forEach((track) => track.stop());
    throw error;
  }
}
