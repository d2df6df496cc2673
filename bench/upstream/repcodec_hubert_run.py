#!/usr/bin/python3
"""Upstream RepCodec over HuBERT features (PyTorch) timed at batch 1: the (u) variant of
`npm run bench --versions repcodec_hubert`.

fairseq (what RepCodec's examples/hubert_feature_reader.py loads the encoder with) cannot be
imported with Debian's Python 3.11 (its dataclass configs have mutable defaults, which 3.11
refuses), so the HuBERT side is torchaudio's independent implementation (Debian's
python3-torchaudio): the encoder `torchaudio.models.wav2vec2_model` builds from the checkpoint's
fairseq config (for hubert_base_ls960's facts it is exactly `torchaudio.models.hubert_base()`),
the fairseq state dict mapped by torchaudio's own fairseq importer, read at the requested layer
with `extract_features(num_layers=L)` (no final LayerNorm, as fairseq's `output_layer=L`). Around
it, per utterance, what the reader does: the whole-utterance layer norm when task.normalize, the
cut into pieces of max_chunk samples encoded one by one and concatenated. Then
`repcodec.tokenize.tokenize_batch` at batch 1 on the model `repcodec.tokenize.load_model` loads
from the mct10/RepCodec checkout. The whole chain is the timed "encode"; there is no decode.
Passes, --serve and output lines are upstream_common.py's.

Example:
  /usr/bin/python3 bench/upstream/repcodec_hubert_run.py --upstream-repcodec /path/RepCodec \
      --feature-model hubert_base_ls960.pt --layer 9 --repcodec hubert_base_l9.pkl \
      --repcodec-config /path/RepCodec/repcodec/configs/repcodec_dim768.yaml --threads 2 a.wav
"""

import os
import sys

import upstream_common as common
from repcodec_whisper_run import load_repcodec

MAX_CHUNK = 1600000  # the readers' default max_chunk


def parse_args(argv):
    p = common.argument_parser(__doc__)
    p.add_argument("--upstream-repcodec", required=True, help="mct10/RepCodec checkout (commit 8a55967)")
    p.add_argument("--feature-model", required=True, help="fairseq HuBERT checkpoint (.pt, cfg as dicts or DictConfig)")
    p.add_argument("--layer", type=int, required=True, help="1-based transformer layer whose output RepCodec reads")
    p.add_argument("--repcodec", required=True, help="RepCodec's trainer checkpoint (.pkl)")
    p.add_argument("--repcodec-config", required=True, help="RepCodec's YAML: flat (repcodec/configs) or under model_params (training)")
    p.add_argument("--max-chunk", type=int, default=MAX_CHUNK, help="samples per independently encoded piece")
    return common.check_counts(p, p.parse_args(argv))


def config_value(section, key, default):
    value = section.get(key, default) if hasattr(section, "get") else getattr(section, key, default)
    return default if value is None else value


def conv_layers(text):
    """fairseq evaluates conv_feature_layers (a list expression); the same, without builtins."""
    layers = eval(text, {"__builtins__": {}}, {})  # noqa: S307 - a checkpoint's own config string, as fairseq does
    return [tuple(int(v) for v in layer) for layer in layers]


def build_encoder(torch, path):
    """torchaudio's wav2vec 2.0 / HuBERT encoder with the fairseq checkpoint's shapes and weights."""
    from torchaudio.models import wav2vec2_model
    from torchaudio.models.wav2vec2.utils.import_fairseq import _convert_state_dict

    common.use_stubs()  # a checkpoint's task_state names fairseq's Dictionary: read as inert data
    checkpoint = torch.load(path, map_location="cpu")
    model_cfg, task_cfg = checkpoint["cfg"]["model"], checkpoint["cfg"]["task"]
    if config_value(model_cfg, "_name", None) != "hubert":
        raise ValueError(f"{path}: not a fairseq HuBERT checkpoint")
    mode = config_value(model_cfg, "extractor_mode", "default")
    encoder = wav2vec2_model(
        extractor_mode="group_norm" if mode == "default" else "layer_norm",
        extractor_conv_layer_config=conv_layers(config_value(model_cfg, "conv_feature_layers", "[(512,10,5)] + [(512,3,2)] * 4 + [(512,2,2)] * 2")),
        extractor_conv_bias=bool(config_value(model_cfg, "conv_bias", False)),
        encoder_embed_dim=int(config_value(model_cfg, "encoder_embed_dim", 768)),
        encoder_projection_dropout=0.0,
        encoder_pos_conv_kernel=int(config_value(model_cfg, "conv_pos", 128)),
        encoder_pos_conv_groups=int(config_value(model_cfg, "conv_pos_groups", 16)),
        encoder_num_layers=int(config_value(model_cfg, "encoder_layers", 12)),
        encoder_num_heads=int(config_value(model_cfg, "encoder_attention_heads", 12)),
        encoder_attention_dropout=0.0,
        encoder_ff_interm_features=int(config_value(model_cfg, "encoder_ffn_embed_dim", 3072)),
        encoder_ff_interm_dropout=0.0,
        encoder_dropout=0.0,
        encoder_layer_norm_first=bool(config_value(model_cfg, "layer_norm_first", False)),
        encoder_layer_drop=0.0,
        aux_num_out=None,
    )
    state = {k: v for k, v in _convert_state_dict(checkpoint["model"]).items() if k != "label_embs_concat"}
    encoder.load_state_dict(state)  # strict: every encoder weight present, nothing left over
    return encoder.eval(), bool(config_value(task_cfg, "normalize", False))


def main(argv):
    args = parse_args(argv)
    for path in (args.feature_model, args.repcodec, args.repcodec_config):
        if not os.path.isfile(path):
            raise ValueError(f"{path}: no such file")
    if not os.path.isfile(os.path.join(args.upstream_repcodec, "repcodec", "tokenize.py")):
        raise ValueError(f"{args.upstream_repcodec}: no repcodec/tokenize.py there (not a RepCodec checkout)")

    def load(torch):
        import torch.nn.functional as F

        sys.path[:0] = [args.upstream_repcodec]
        encoder, normalize = build_encoder(torch, args.feature_model)  # puts the stubs on sys.path: tqdm for repcodec.tokenize
        from repcodec.tokenize import load_model, tokenize_batch

        if not 1 <= args.layer <= len(encoder.encoder.transformer.layers):
            raise ValueError(f"--layer {args.layer}: the encoder has layers 1..{len(encoder.encoder.transformer.layers)}")
        repcodec = load_repcodec(load_model, args)

        def encode(wav):
            x = F.layer_norm(wav, wav.shape) if normalize else wav
            x = x.view(1, -1)  # (1, L)
            pieces = []
            for start in range(0, x.size(1), args.max_chunk):
                layers, _ = encoder.extract_features(x[:, start : start + args.max_chunk], num_layers=args.layer)
                pieces.append(layers[-1])  # (1, T_piece, D): layer L's output
            feats = torch.cat(pieces, 1)[0]  # (T, D)
            return tokenize_batch(repcodec, {"data": feats[None], "lengths": [feats.shape[0]]}, "cpu")  # [[T tokens]]

        return common.Stages(
            prepare=lambda samples: torch.from_numpy(samples),  # (L,) float32
            encode=encode,
            rows=lambda tokens: tokens,  # one row
            save=lambda tokens: __import__("numpy").asarray(tokens[0], dtype="int64"),  # (T,) int64
        )

    common.run_main(args, load)


if __name__ == "__main__":
    common.guarded(main)
