/** Reading and writing PyTorch checkpoints without running their code. */
export { readCheckpoint, type Checkpoint } from "./readCheckpoint.js";
export { requireTensor } from "./requireTensor.js";
