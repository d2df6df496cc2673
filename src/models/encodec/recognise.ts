/**
 * Recognising an EnCodec checkpoint (a bare state dict, as upstream releases it) from its
 * tensors: the norm from the first conv's tensor names (weight_g/weight_v: weight norm;
 * conv.norm.*: time group norm), audio channels and n_filters from its shape, the latent width,
 * bins and layer count from the codebooks. The weights cannot tell rate, causality,
 * normalisation, segments or bandwidths: a config.json gives them, else the release whose layout
 * the tensors have (mono weight-norm: 24 kHz; stereo time-group-norm: 48 kHz). Everything else is
 * upstream's SEANet defaults, which the weight reader then checks tensor by tensor.
 */
import type { TensorData } from "../../onnx/tensor.js";
import { SEANET_DEFAULTS, RELEASE_24KHZ, RELEASE_48KHZ, hopLength, layersForBandwidths, type EncodecConfig, type EncodecFacts, type EncodecNorm } from "./config.js";
import { NotEncodecError } from "./errors.js";

export type StateDict = ReadonlyMap<string, TensorData>;

const FIRST_CONV = "encoder.model.0.conv";

export function codebookKey(layer: number): string {
  return `quantizer.vq.layers.${layer}._codebook.embed`;
}

/** The first conv's norm and weight [n_filters, channels, 7]. */
function firstConv(dict: StateDict, path: string): { norm: EncodecNorm; weight: TensorData } {
  const v = dict.get(`${FIRST_CONV}.conv.weight_v`);
  if (v !== undefined) return { norm: "weight_norm", weight: v };
  const plain = dict.get(`${FIRST_CONV}.conv.weight`);
  if (plain !== undefined && dict.has(`${FIRST_CONV}.norm.weight`)) return { norm: "time_group_norm", weight: plain };
  const sample = [...dict.keys()].slice(0, 3).join(", ");
  throw new NotEncodecError(path, `no ${FIRST_CONV}.conv.weight_v (weight norm) nor ${FIRST_CONV}.conv.weight with ${FIRST_CONV}.norm.weight (time group norm); its first tensors are ${sample || "none"}`);
}

/** The checkpoint's shape: norm, channels, n_filters, dimension, bins, layers. */
export function shapeFromTensors(dict: StateDict, path: string): Pick<EncodecConfig, "norm" | "audioChannels" | "nFilters" | "dimension" | "bins" | "nQ"> {
  const { norm, weight } = firstConv(dict, path);
  if (weight.dims.length !== 3) throw new NotEncodecError(path, `${FIRST_CONV} weight has shape [${weight.dims.join(", ")}], expected [n_filters, channels, kernel]`);
  const [nFilters, audioChannels] = weight.dims as [number, number, number];
  if (audioChannels !== 1 && audioChannels !== 2) throw new NotEncodecError(path, `the first conv takes ${audioChannels} audio channels; EnCodec takes 1 or 2`);
  const first = dict.get(codebookKey(0));
  if (first === undefined || first.dims.length !== 2) throw new NotEncodecError(path, `no codebook ${codebookKey(0)} of shape [bins, dimension]`);
  const [bins, dimension] = first.dims as [number, number];
  if (!Number.isInteger(Math.log2(bins)) || bins < 2) throw new NotEncodecError(path, `${bins} codes per codebook; EnCodec's bins are a power of 2`);
  let nQ = 0;
  while (dict.has(codebookKey(nQ))) nQ++;
  return { norm, audioChannels, nFilters, dimension, bins, nQ };
}

/** The release whose layout the tensors have; NotEncodecError when neither has it. */
function releaseFacts(shape: ReturnType<typeof shapeFromTensors>, path: string): EncodecFacts {
  const release = [RELEASE_24KHZ, RELEASE_48KHZ].find((r) => r.audioChannels === shape.audioChannels && r.norm === shape.norm);
  if (release === undefined) {
    throw new NotEncodecError(
      path,
      `${shape.audioChannels} channel(s) with ${shape.norm} is neither release's layout (mono weight norm: encodec_24khz; stereo time group norm: ` +
        "encodec_48khz), so its rate, causality and bandwidths are unknown; give them in a config.json beside it",
    );
  }
  return release;
}

/**
 * The model's config: its shape from the tensors, its facts from `facts` (a config.json) or the
 * release it matches. The layer count must be what those facts' bandwidths give (upstream builds
 * exactly that many), else the facts are not this checkpoint's.
 */
export function recogniseConfig(dict: StateDict, path: string, facts?: EncodecFacts): EncodecConfig {
  const shape = shapeFromTensors(dict, path);
  const chosen = facts ?? releaseFacts(shape, path);
  if (chosen.audioChannels !== shape.audioChannels) {
    throw new NotEncodecError(path, `the config says ${chosen.audioChannels} channel(s), the first conv takes ${shape.audioChannels}`);
  }
  if (chosen.norm !== shape.norm) throw new NotEncodecError(path, `the config says ${chosen.norm}, the tensors are ${shape.norm}`);
  const config: EncodecConfig = { ...SEANET_DEFAULTS, strides: [...SEANET_DEFAULTS.strides], ...chosen, ...shape };
  const layers = layersForBandwidths(chosen, hopLength(config));
  if (layers !== shape.nQ) {
    throw new NotEncodecError(path, `${shape.nQ} quantizer layers, but ${chosen.name}'s bandwidths (${chosen.targetBandwidths.join(", ")} kbps) make ${layers}`);
  }
  return config;
}
