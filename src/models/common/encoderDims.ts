/**
 * The dimensions of a log-mel Transformer encoder with a two-convolution front end, the shape S3's
 * encoders and Whisper's share (S3's ModelDims adds its quantizer's).
 */
export interface EncoderDims {
  /** Mel bands of the input (128 in every S3 release; 80 or 128 in Whisper's). */
  nMels: number;
  /** Model width D. */
  width: number;
  heads: number;
  /** width / heads (64 in every release). */
  headDim: number;
  layers: number;
  /** MLP hidden width (4·D). */
  mlpWidth: number;
  /** Stride of the first convolution: 1 for S3's 50 Hz v1 and Whisper, 2 for S3's 25 Hz releases. */
  conv1Stride: number;
}
