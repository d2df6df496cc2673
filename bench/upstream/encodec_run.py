#!/usr/bin/python3
"""Upstream EnCodec (PyTorch) timed at batch 1: the (u) variant of
`npm run bench --versions encodec_24khz,encodec_48khz`.

Builds the model with upstream's own release constructor (facebookresearch/encodec at 0e2d0ae:
`EncodecModel.encodec_model_24khz` or `encodec_model_48khz`, chosen by --release, with
pretrained=False so nothing is downloaded), loads the given `.th` state dict into it strictly (the
benchmark's random checkpoint, in the released format), sets the release's top bandwidth (every
quantizer layer: 32 rows at 24 kHz, 16 at 48 kHz), then per pass runs on each utterance alone
(x (1, C, L) float32 at the model's rate) `model.encode(x)` (a list of (codes (1, n_q, T_i)
int64, scale) frames, one per 1 s segment at 48 kHz) and `model.decode(frames)`. Passes, --serve
and output lines are upstream_common.py's.

Inputs are float32 .npy files of [C, L] at the model's rate. The checkout's package imports
torchaudio (encodec/utils.py) and einops (quantization/core_vq.py, modules/norm.py) at load;
Debian lacks both: bench/upstream/stubs stands in for them (inference calls only two einops
transposes, which the stand-in implements; it never calls torchaudio).

Example:
  /usr/bin/python3 bench/upstream/encodec_run.py --upstream /path/encodec --release encodec_24khz \
      --ckpt encodec_24khz-1234abcd.th --threads 2 --repeats 1 a.npy b.npy
"""

import os
import sys

import numpy as np

import upstream_common as common

RELEASES = {"encodec_24khz": (24000, 1), "encodec_48khz": (48000, 2)}


def parse_args(argv):
    p = common.argument_parser(__doc__)
    p.add_argument("--upstream", required=True, help="facebookresearch/encodec checkout (commit 0e2d0ae)")
    p.add_argument("--release", required=True, choices=sorted(RELEASES), help="which release constructor builds the model")
    p.add_argument("--ckpt", required=True, help="the model's state dict (.th, as upstream releases it)")
    return common.check_counts(p, p.parse_args(argv))


def import_upstream(upstream_dir):
    if not os.path.isfile(os.path.join(upstream_dir, "encodec", "model.py")):
        raise ValueError(f"--upstream {upstream_dir}: no encodec/model.py there (not a facebookresearch/encodec checkout)")
    sys.path.insert(0, upstream_dir)
    common.use_stubs()
    from encodec.model import EncodecModel

    return EncodecModel


def reader(release):
    rate, channels = RELEASES[release]

    def read(path):
        """float32 [C, L] as stored; anything else is refused naming the file."""
        if not path.endswith(".npy"):
            raise ValueError(f"{path}: expected a float32 .npy of [{channels}, L] at {rate} Hz")
        audio = np.load(path)
        if audio.ndim != 2 or audio.shape[0] != channels or audio.dtype != np.float32:
            raise ValueError(f"{path}: expected float32 [{channels}, L], got {audio.dtype} {audio.shape}")
        return audio

    return read, (lambda samples: samples.shape[1] / rate)


def main(argv):
    args = parse_args(argv)
    if not os.path.isfile(args.ckpt):
        raise ValueError(f"{args.ckpt}: no such file")

    def load(torch):
        EncodecModel = import_upstream(args.upstream)
        build = EncodecModel.encodec_model_24khz if args.release == "encodec_24khz" else EncodecModel.encodec_model_48khz
        model = build(pretrained=False)
        model.load_state_dict(torch.load(args.ckpt, map_location="cpu"))  # strict: every tensor named as upstream's
        model.eval()
        model.set_target_bandwidth(model.target_bandwidths[-1])

        def rows(frames):
            # Every segment's frames one after another, per row: (n_q, sum T_i).
            return torch.cat([codes for codes, _ in frames], dim=-1)[0].tolist()

        return common.Stages(
            prepare=lambda samples: torch.from_numpy(samples)[None],  # (1, C, L) float32
            encode=lambda x: model.encode(x),
            rows=rows,
            decode=lambda frames: model.decode(frames),  # (1, C, hop * sum T_i), not trimmed
            save=lambda frames: torch.cat([codes for codes, _ in frames], dim=-1)[0].numpy(),
        )

    read, seconds = reader(args.release)
    common.run_main(args, load, read=read, seconds=seconds)


if __name__ == "__main__":
    common.guarded(main)
