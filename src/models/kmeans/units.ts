/**
 * k-means units as fairseq's dump_km_label.py computes them: for each frame x, the centre c
 * minimising ‖x‖² − 2·x·c + ‖c‖², the first one on ties (argmin). Computed in float64 from the
 * float32 (or float64) values: upstream's float32 sums differ from exact ones by ~1e-7 relative,
 * far below the gap between the best and second-best centre that a unit decision has in practice
 * (the fixture's smallest is 2e-3 relative); the formula's terms are kept in upstream's order.
 * `dedup` merges runs of one unit into one, as GSLM and SpeechGPT do with HuBERT units.
 */
import { InvalidInputError } from "../../errors.js";
import type { KMeansModel } from "./joblibModel.js";

/** ‖c‖² of each centre [clusters]. */
function centerNorms(model: KMeansModel): Float64Array {
  const norms = new Float64Array(model.clusters);
  for (let k = 0; k < model.clusters; k++) {
    let sum = 0;
    for (let d = 0; d < model.dim; d++) sum += model.centers[k * model.dim + d]! ** 2;
    norms[k] = sum;
  }
  return norms;
}

/** Runs of one unit merged into one unit. */
export function dedupUnits(units: Int32Array): Int32Array {
  const kept: number[] = [];
  for (const unit of units) if (kept.length === 0 || kept[kept.length - 1] !== unit) kept.push(unit);
  return Int32Array.from(kept);
}

export class KMeansQuantizer {
  private readonly norms: Float64Array;

  constructor(readonly model: KMeansModel) {
    this.norms = centerNorms(model);
  }

  get clusters(): number {
    return this.model.clusters;
  }

  /** The nearest centre of each frame of features [frames, dim] (row-major); `source` names them in errors. */
  units(features: Float32Array, options: { dedup?: boolean; source?: string } = {}): Int32Array {
    const { dim, clusters, centers } = this.model;
    if (features.length % dim !== 0) {
      throw new InvalidInputError(`${options.source ?? "features"}: ${features.length} values are not whole frames of ${dim} (the k-means model's dimension)`);
    }
    const frames = features.length / dim;
    const units = new Int32Array(frames);
    for (let t = 0; t < frames; t++) {
      const x = features.subarray(t * dim, (t + 1) * dim);
      let squares = 0;
      for (let d = 0; d < dim; d++) squares += x[d]! ** 2;
      let best = 0;
      let bestDistance = Infinity;
      for (let k = 0; k < clusters; k++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += x[d]! * centers[k * dim + d]!;
        const distance = squares - 2 * dot + this.norms[k]!;
        if (distance < bestDistance) {
          bestDistance = distance;
          best = k;
        }
      }
      units[t] = best;
    }
    return options.dedup ? dedupUnits(units) : units;
  }
}
