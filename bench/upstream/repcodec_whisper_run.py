#!/usr/bin/python3
"""Upstream RepCodec over Whisper features (PyTorch) timed at batch 1: the (u) variant of
`npm run bench --versions repcodec_whisper`.

Per utterance alone, as RepCodec's examples/whisper_feature_reader.py and its tokenizer do it:
openai-whisper's `log_mel_spectrogram(wav)` (80 bands, no padding to 30 s), RepCodec's
`AudioEncoder_.extract_feature(mel[None], layer)` (what `Whisper_.extract_features` calls; the text
decoder is never built, as the reader deletes it) cut to L // 320 frames, then
`repcodec.tokenize.tokenize_batch` at batch 1 on the model `repcodec.tokenize.load_model` loads.
The whole chain is the timed "encode"; there is no decode. Passes, --serve and output lines are
upstream_common.py's.

Checkouts: mct10/RepCodec at 8a55967 (--upstream-repcodec) and openai/whisper (--upstream-whisper,
c0d2f62). whisper's package imports tiktoken, numba and tqdm, which features do not use:
bench/upstream/stubs stands in for them.

Example:
  /usr/bin/python3 bench/upstream/repcodec_whisper_run.py --upstream-repcodec /path/RepCodec \
      --upstream-whisper /path/whisper --whisper medium.pt --repcodec whisper_medium_l24.pkl \
      --repcodec-config /path/RepCodec/repcodec/configs/repcodec_dim1024.yaml --layer 24 --threads 2 a.wav
"""

import os
import sys
import tempfile

import upstream_common as common

FRAME_SAMPLES = 320  # samples per feature frame (mel hop 160, conv2 stride 2)


def parse_args(argv):
    p = common.argument_parser(__doc__)
    p.add_argument("--upstream-repcodec", required=True, help="mct10/RepCodec checkout (commit 8a55967)")
    p.add_argument("--upstream-whisper", required=True, help="openai/whisper checkout (c0d2f62)")
    p.add_argument("--whisper", required=True, help="openai's Whisper checkpoint (.pt with dims and model_state_dict)")
    p.add_argument("--repcodec", required=True, help="RepCodec's trainer checkpoint (.pkl)")
    p.add_argument("--repcodec-config", required=True, help="RepCodec's YAML: flat (repcodec/configs) or under model_params (training)")
    p.add_argument("--layer", type=int, required=True, help="1-based Whisper block whose output RepCodec reads")
    return common.check_counts(p, p.parse_args(argv))


def import_upstream(args):
    checks = [
        (args.upstream_repcodec, os.path.join("repcodec", "tokenize.py")),
        (args.upstream_repcodec, os.path.join("examples", "whisper_model.py")),
        (args.upstream_whisper, os.path.join("whisper", "audio.py")),
    ]
    for root, relative in checks:
        if not os.path.isfile(os.path.join(root, relative)):
            raise ValueError(f"{root}: no {relative} there (not an upstream checkout)")
    for path in (args.whisper, args.repcodec, args.repcodec_config):
        if not os.path.isfile(path):
            raise ValueError(f"{path}: no such file")
    sys.path[:0] = [args.upstream_repcodec, os.path.join(args.upstream_repcodec, "examples"), args.upstream_whisper]
    common.use_stubs()
    from whisper.audio import log_mel_spectrogram
    from whisper_model import AudioEncoder_
    from repcodec.tokenize import load_model, tokenize_batch

    return log_mel_spectrogram, AudioEncoder_, load_model, tokenize_batch


def load_repcodec(load_model, args):
    """Upstream's load_model wants its config under model_params (the training layout); a flat config
    (repcodec/configs/*.yaml, the released models') is wrapped in a temporary file for it."""
    import yaml

    with open(args.repcodec_config) as f:
        conf = yaml.safe_load(f)
    if "model_params" in conf:
        return load_model(args.repcodec, args.repcodec_config)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as wrapped:
        yaml.safe_dump({"model_params": conf}, wrapped)
        wrapped.flush()
        return load_model(args.repcodec, wrapped.name)


def load_encoder(torch, AudioEncoder_, path):
    """Whisper's audio encoder as RepCodec's reader builds it, from openai's checkpoint format."""
    checkpoint = torch.load(path, map_location="cpu")
    dims = checkpoint["dims"]
    encoder = AudioEncoder_(dims["n_mels"], dims["n_audio_ctx"], dims["n_audio_state"], dims["n_audio_head"], dims["n_audio_layer"])
    prefix = "encoder."
    encoder.load_state_dict({k[len(prefix):]: v for k, v in checkpoint["model_state_dict"].items() if k.startswith(prefix)})
    return encoder.eval()


def main(argv):
    args = parse_args(argv)

    def load(torch):
        log_mel_spectrogram, AudioEncoder_, load_model, tokenize_batch = import_upstream(args)
        encoder = load_encoder(torch, AudioEncoder_, args.whisper)
        if not 1 <= args.layer <= len(encoder.blocks):
            raise ValueError(f"--layer {args.layer}: the encoder has blocks 1..{len(encoder.blocks)}")
        repcodec = load_repcodec(load_model, args)

        def encode(wav):
            mel = log_mel_spectrogram(wav)  # (80, L // 160)
            hidden = encoder.extract_feature(mel[None], target_layer=args.layer)  # (1, ceil(N / 2), C)
            feats = hidden[0, : len(wav) // FRAME_SAMPLES]  # (L // 320, C)
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
