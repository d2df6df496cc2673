/**
 * Loading a RepCodec trainer checkpoint (`.pkl`, as upstream's trainer saves it): only
 * `ckpt["model"]["repcodec"]` is read (optimizer and scheduler state are ignored), the
 * configuration comes from its shapes, and an optional YAML is checked against them.
 */
import { readCheckpoint } from "../../checkpoint/index.js";
import { nodeBackend } from "../../runtime/nodeBackend.js";
import { configFromStateDict, type RepCodecConfig, type StateDict } from "./config.js";
import { RepCodecModel, type RepCodecOptions } from "./model.js";
import { REPCODEC_STATE_KEYS } from "./open.js";
import { mergeConfig, readConfigYaml } from "./yamlConfig.js";

export { REPCODEC_STATE_KEYS };

export interface RepCodecLoadOptions extends RepCodecOptions {
  /** A YAML configuration (flat or under `model_params:`), checked against the weights. */
  configPath?: string;
}

/** The checkpoint's state dict and its configuration (shapes, then the YAML checked against them). */
export async function readRepCodecCheckpoint(path: string, configPath?: string): Promise<{ dict: StateDict; config: RepCodecConfig }> {
  const dict = (await readCheckpoint(path)).stateDict(REPCODEC_STATE_KEYS);
  const derived = configFromStateDict(dict, path);
  const config = configPath === undefined ? derived : mergeConfig(derived, readConfigYaml(configPath), configPath);
  return { dict, config };
}

export async function loadRepCodec(path: string, options: RepCodecLoadOptions = {}): Promise<RepCodecModel> {
  const { dict, config } = await readRepCodecCheckpoint(path, options.configPath);
  return RepCodecModel.create(dict, config, path, options, nodeBackend);
}
