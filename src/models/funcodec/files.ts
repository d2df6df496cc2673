/** The names of a FunCodec release's two files (the family object needs them without the model code). */
export const FUNCODEC_CONFIG = "config.yaml";
export const FUNCODEC_CHECKPOINT = "model.pth";
