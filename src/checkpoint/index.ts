/** Reading and writing PyTorch checkpoints without running their code. */
export { readCheckpoint, type Checkpoint } from "./readCheckpoint.js";
export { requireTensor } from "./requireTensor.js";
export { writeTorchCheckpoint, writeTorchPickle, type CheckpointTree } from "./writeCheckpoint.js";
export { PickleWriter } from "./pickleWriter.js";
