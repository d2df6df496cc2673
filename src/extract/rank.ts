/**
 * Which shard of the list this process handles. From --rank/--world_size when given, else from
 * the environment of the launcher that started the process: torchrun (RANK, WORLD_SIZE,
 * LOCAL_RANK), SLURM (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID), a Kubernetes Indexed Job
 * (JOB_COMPLETION_INDEX, with --world_size), OpenMPI (OMPI_COMM_WORLD_RANK/SIZE/LOCAL_RANK).
 */
import { UsageError } from "../errors.js";

export interface Placement {
  rank: number;
  worldSize: number;
  /** Rank within this machine: the GPU ordinal to use with --device cuda. */
  localRank: number;
  /** Where rank and world size came from, for the log. */
  origin: string;
}

type Env = Record<string, string | undefined>;

/** The largest world size (and so rank + 1) accepted: far above any real job, far below overflow. */
export const MAX_WORLD_SIZE = 1_000_000;

/**
 * A rank or size: plain decimal digits only. Number() would also take "0x1", "1e0", " 1" and
 * 99999999999999999999 (rounded), which name a part file nobody asked for. An empty flag is an
 * error; an empty environment variable counts as unset.
 */
function integer(value: string | undefined, what: string, flag = false): number | undefined {
  if (value === undefined || (value === "" && !flag)) return undefined;
  const limit = MAX_WORLD_SIZE;
  if (!/^\d{1,7}$/.test(value) || Number(value) > limit) {
    const why = value === "" ? "it is empty" : /^-/.test(value) ? "it is negative" : /^\d+$/.test(value) ? "it is too large" : "it is not a plain decimal number";
    throw new UsageError(`${what} must be a decimal integer from 0 to ${limit}, got "${value}" (${why})`);
  }
  return Number(value);
}

export function resolvePlacement(flags: { rank?: string; worldSize?: string }, env: Env = process.env): Placement {
  const flagRank = integer(flags.rank, "--rank", true);
  const flagWorld = integer(flags.worldSize, "--world_size", true);
  const launchers: { origin: string; rank?: string; world?: string; local?: string }[] = [
    { origin: "torchrun", rank: env.RANK, world: env.WORLD_SIZE, local: env.LOCAL_RANK },
    { origin: "SLURM", rank: env.SLURM_PROCID, world: env.SLURM_NTASKS, local: env.SLURM_LOCALID },
    { origin: "OpenMPI", rank: env.OMPI_COMM_WORLD_RANK, world: env.OMPI_COMM_WORLD_SIZE, local: env.OMPI_COMM_WORLD_LOCAL_RANK },
    { origin: "Kubernetes Indexed Job", rank: env.JOB_COMPLETION_INDEX, world: undefined, local: "0" },
  ];
  let placement: Placement;
  if (flagRank !== undefined || (flagWorld !== undefined && !launchers.some((l) => l.rank !== undefined))) {
    placement = { rank: flagRank ?? 0, worldSize: flagWorld ?? 1, localRank: 0, origin: "flags" };
  } else {
    const launcher = launchers.find((l) => l.rank !== undefined && l.rank !== "");
    if (!launcher) {
      placement = { rank: 0, worldSize: flagWorld ?? 1, localRank: 0, origin: "single process" };
    } else {
      const worldSize = flagWorld ?? integer(launcher.world, `${launcher.origin} world size`);
      if (worldSize === undefined) {
        throw new UsageError(`${launcher.origin} gives the rank but not the world size: pass --world_size`);
      }
      placement = {
        rank: integer(launcher.rank, `${launcher.origin} rank`)!,
        worldSize,
        localRank: integer(launcher.local, `${launcher.origin} local rank`) ?? 0,
        origin: launcher.origin,
      };
    }
  }
  if (placement.worldSize < 1) throw new UsageError("--world_size must be at least 1");
  if (placement.rank >= placement.worldSize) {
    throw new UsageError(`rank ${placement.rank} is not below the world size ${placement.worldSize} (${placement.origin})`);
  }
  return placement;
}

/** The entries of this rank: every index i with i mod worldSize = rank (each key in exactly one part). */
export function shard<T>(items: readonly T[], placement: Placement): T[] {
  return items.filter((_, i) => i % placement.worldSize === placement.rank);
}
