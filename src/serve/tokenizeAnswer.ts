/** The JSON answer of POST /v1/tokenize: the codes and what a client needs to read or decode them. */
import { codesJson } from "../family/frontEnd.js";
import type { FamilyFacts } from "../family/types.js";
import { segmentsJson } from "../parts/partFormat.js";
import type { TokenizeBytesResult } from "./service.js";

/**
 * `first_codebook`, `scale` and `segments` appear when the codes carry them, so that `{code,
 * first_codebook, scale, segments}` of an answer is a valid /v1/detokenize body as it stands.
 */
export function tokenizeAnswer(result: TokenizeBytesResult, model: Pick<FamilyFacts, "codebooks" | "frameRate">, modelName: string): Record<string, unknown> {
  const answer: Record<string, unknown> = {
    code: codesJson({ data: result.codes, codebooks: result.codebooks, frames: result.frames }, model),
    code_len: result.frames,
    model: modelName,
    token_rate: model.frameRate,
    audio_s: result.audioSeconds,
    codebooks: result.codebooks,
    frame_rate: model.frameRate,
  };
  if (result.firstCodebook !== undefined) answer.first_codebook = result.firstCodebook;
  if (result.scale !== undefined) answer.scale = result.scale;
  if (result.segments !== undefined) answer.segments = segmentsJson(result.segments);
  return answer;
}
