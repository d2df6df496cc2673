/** Rank and world size from flags or from launchers' environments. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../src/errors.js";
import { resolvePlacement, shard } from "../src/extract/rank.js";

test("flags win over the environment", () => {
  const p = resolvePlacement({ rank: "1", worldSize: "4" }, { RANK: "3", WORLD_SIZE: "8" });
  assert.deepEqual([p.rank, p.worldSize, p.origin], [1, 4, "flags"]);
});

test("torchrun, SLURM, OpenMPI and Kubernetes environments", () => {
  const torch = resolvePlacement({}, { RANK: "5", WORLD_SIZE: "8", LOCAL_RANK: "1" });
  assert.deepEqual([torch.rank, torch.worldSize, torch.localRank, torch.origin], [5, 8, 1, "torchrun"]);
  const slurm = resolvePlacement({}, { SLURM_PROCID: "2", SLURM_NTASKS: "4", SLURM_LOCALID: "0" });
  assert.deepEqual([slurm.rank, slurm.worldSize, slurm.origin], [2, 4, "SLURM"]);
  const mpi = resolvePlacement({}, { OMPI_COMM_WORLD_RANK: "3", OMPI_COMM_WORLD_SIZE: "4", OMPI_COMM_WORLD_LOCAL_RANK: "1" });
  assert.deepEqual([mpi.rank, mpi.worldSize, mpi.localRank], [3, 4, 1]);
  const k8s = resolvePlacement({ worldSize: "10" }, { JOB_COMPLETION_INDEX: "7" });
  assert.deepEqual([k8s.rank, k8s.worldSize, k8s.origin], [7, 10, "Kubernetes Indexed Job"]);
});

test("a Kubernetes index without --world_size, or a rank past the world, is a usage error", () => {
  assert.throws(() => resolvePlacement({}, { JOB_COMPLETION_INDEX: "1" }), UsageError);
  assert.throws(() => resolvePlacement({ rank: "4", worldSize: "4" }, {}), UsageError);
});

test("no launcher: one process", () => {
  assert.deepEqual(resolvePlacement({}, {}).worldSize, 1);
});

test("shards cover every item exactly once", () => {
  const items = Array.from({ length: 17 }, (_, i) => i);
  const parts = [0, 1, 2].map((rank) => shard(items, { rank, worldSize: 3, localRank: 0, origin: "test" }));
  assert.deepEqual(parts.flat().sort((a, b) => a - b), items);
});
