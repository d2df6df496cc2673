/**
 * Sessions opened from a scratch file (runtime/fileSession.ts): the graph's large weights go to a
 * side file that onnxruntime reads, the results equal the product computed here, and the scratch
 * folder is gone once the session is open, or once opening has failed; without a usable temporary
 * directory the serialised bytes serve instead.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ModelFormatError } from "../src/errors.js";
import { DataType, GraphBuilder } from "../src/onnx/builder.js";
import { float32Tensor } from "../src/onnx/tensor.js";
import { encodeModel } from "../src/onnx/write.js";
import { nodeBackend } from "../src/runtime/nodeBackend.js";
import { openScratchSession, SCRATCH_DATA, SCRATCH_PREFIX, writeScratchModel } from "../src/runtime/fileSession.js";
import { ort } from "../src/runtime/session.js";

const N = 64; // a [64, 64] float32 weight: 16 KiB, over the external-data threshold

/** y [B, N] = x [B, N] · W [N, N], W seeded. */
function matmulModel() {
  const weight = Float32Array.from({ length: N * N }, (_, i) => Math.sin(i * 0.37)); // [N, N]
  const g = new GraphBuilder();
  const x = g.input("x", DataType.FLOAT, ["B", N]);
  g.output("y", g.node("MatMul", [x, g.initializer("w", float32Tensor([N, N], weight))]), DataType.FLOAT, ["B", N]);
  return { model: g.build("matmul"), weight };
}

/** The in-memory route, for tests where the scratch folder must be used. */
const noBytes = (): Promise<Uint8Array> => Promise.reject(new Error("the scratch folder was usable: no bytes expected"));

/** x · W for x [B, N] and W [N, N], checked against the session's output y [B, N]. */
async function assertProduct(session: ort.InferenceSession, weight: Float32Array): Promise<void> {
  const x = Float32Array.from({ length: 2 * N }, (_, i) => (i % 7) - 3); // [2, N]
  const y = (await session.run({ x: new ort.Tensor("float32", x, [2, N]) }))["y"]!.data as Float32Array; // [2, N]
  for (let b = 0; b < 2; b++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < N; k++) sum += x[b * N + k]! * weight[k * N + j]!;
      assert.ok(Math.abs(y[b * N + j]! - sum) <= 1e-4 * (1 + Math.abs(sum)), `y[${b}, ${j}] = ${y[b * N + j]}, expected ${sum}`);
    }
  }
}

describe("sessions from scratch files", () => {
  let scratchRoot: string;
  // Other libraries in the process may write there too: only our scratch folders count.
  const scratchFolders = (): string[] => readdirSync(scratchRoot).filter((name) => name.startsWith(SCRATCH_PREFIX));
  let savedTmpdir: string | undefined;
  before(() => {
    // os.tmpdir() reads TMPDIR on each call: the scratch folders of these tests land here.
    savedTmpdir = process.env.TMPDIR;
    scratchRoot = mkdtempSync(join(tmpdir(), "scratch-sessions-"));
    process.env.TMPDIR = scratchRoot;
  });
  after(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    rmSync(scratchRoot, { recursive: true, force: true });
  });

  test("the weights go to the side file, the session computes with them, and the folder is removed", async () => {
    const { model, weight } = matmulModel();
    let written: { graph: number; data: number } | undefined;
    const session = await openScratchSession(async (dir) => {
      const graph = await writeScratchModel(model, dir);
      written = { graph: statSync(graph).size, data: statSync(join(dir, SCRATCH_DATA)).size };
      return graph;
    }, noBytes, {}, "matmul");
    try {
      assert.equal(written!.data, N * N * 4);
      assert.ok(written!.graph < N * N * 4, `the graph file (${written!.graph} B) holds no copy of the weight`);
      assert.deepEqual(scratchFolders(), []);
      await assertProduct(session, weight);
    } finally {
      await session.release();
    }
  });

  test("without a usable temporary directory the session opens on the serialised bytes", async () => {
    const { model, weight } = matmulModel();
    process.env.TMPDIR = join(scratchRoot, "missing", "folder"); // mkdtemp fails: ENOENT
    let wrote = false;
    try {
      const session = await openScratchSession(
        async (dir) => {
          wrote = true;
          return writeScratchModel(model, dir);
        },
        async () => encodeModel(model),
        {},
        "matmul in memory",
      );
      try {
        assert.equal(wrote, false);
        await assertProduct(session, weight);
      } finally {
        await session.release();
      }
    } finally {
      process.env.TMPDIR = scratchRoot;
    }
  });

  test("Node's backend opens a built graph by way of a scratch folder and leaves none behind", async () => {
    const { model, weight } = matmulModel();
    utimesSync(scratchRoot, 0, 0); // a scratch folder made and removed in it moves its time on
    const session = await nodeBackend.openGraph(model, {}, "matmul by the backend");
    try {
      assert.ok(statSync(scratchRoot).mtimeMs > 0, "a scratch folder was made in TMPDIR");
      assert.deepEqual(scratchFolders(), []);
      await assertProduct(session, weight);
    } finally {
      await session.release();
    }
  });

  test("a graph onnxruntime refuses is a ModelFormatError, and its folder is removed too", async () => {
    const { model } = matmulModel();
    model.graph!.node![0]!.opType = "NoSuchOperator";
    await assert.rejects(
      openScratchSession((dir) => writeScratchModel(model, dir), noBytes, {}, "broken graph"),
      (error: unknown) => error instanceof ModelFormatError && error.code === "MODEL_FORMAT" && /broken graph/.test(error.message),
    );
    assert.deepEqual(scratchFolders(), []);
  });
});
