#!/usr/bin/python3
"""Upstream SpeechTokenizer (PyTorch) timed at batch 1: the (u) variant of `npm run bench`.

Loads the model with upstream's own loader (`SpeechTokenizer.load_from_checkpoint`) from an
upstream checkout, then, per pass over the files, runs `encode(wav)` and `decode(codes)` on each
utterance alone (batch 1, shape (1, 1, L)) and prints one JSON line of timings. The passes, the
--serve protocol and the output lines are upstream_common.py's. Run it with Debian's
/usr/bin/python3 (torch 1.13); see docs/benchmark.md for OpenBLAS.

Example:
  /usr/bin/python3 bench/upstream/speechtokenizer_run.py --upstream /path/SpeechTokenizer \
      --config model/config.json --ckpt model/SpeechTokenizer.pt --threads 2 --repeats 3 a.wav b.npy
"""

import os
import sys
import types

import upstream_common as common


def parse_args(argv):
    p = common.argument_parser(__doc__)
    p.add_argument("--upstream", required=True, help="ZhangXInFD/SpeechTokenizer checkout (commit 30c96fb)")
    p.add_argument("--config", required=True, help="the model's config.json")
    p.add_argument("--ckpt", required=True, help="the model's state-dict checkpoint (torch.save)")
    return common.check_counts(p, p.parse_args(argv))


def import_upstream(upstream_dir):
    """Upstream's SpeechTokenizer class, imported without its package __init__.

    The package __init__ also imports the trainer (accelerate, torchaudio, tensorboard, lion_pytorch,
    beartype, matplotlib), none of which inference touches; registering the package by its path
    skips that file and leaves the upstream tree untouched. einops, which inference does use, comes
    from bench/upstream/stubs when it is not installed.
    """
    package_dir = os.path.join(upstream_dir, "speechtokenizer")
    if not os.path.isfile(os.path.join(package_dir, "model.py")):
        raise ValueError(f"--upstream {upstream_dir}: no speechtokenizer/model.py there (not an upstream checkout)")
    sys.path.insert(0, upstream_dir)
    common.use_stubs()
    package = types.ModuleType("speechtokenizer")
    package.__path__ = [package_dir]
    sys.modules["speechtokenizer"] = package
    from speechtokenizer.model import SpeechTokenizer

    return SpeechTokenizer


def main(argv):
    args = parse_args(argv)

    def load(torch):
        model = import_upstream(args.upstream).load_from_checkpoint(args.config, args.ckpt)
        model.eval()
        return common.Stages(
            # wav.view(1, 1, L): batch 1, one channel, as upstream's example feeds it.
            prepare=lambda samples: torch.from_numpy(samples).view(1, 1, -1),
            encode=model.encode,  # (n_q, 1, T) int64
            rows=lambda c: c[:, 0, :].tolist(),  # n_q rows of T codes (batch axis dropped)
            decode=model.decode,  # (1, 1, 320 * T) float32
            save=lambda c: c.numpy(),
        )

    common.run_main(args, load)


if __name__ == "__main__":
    common.guarded(main)
