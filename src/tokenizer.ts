/** S3Tokenizer lives with its family in models/s3/; this path stays for existing imports. */
export * from "./models/s3/tokenizer.js";
