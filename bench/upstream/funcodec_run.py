#!/usr/bin/python3
"""Upstream FunCodec (PyTorch) timed at batch 1: the (u) variant of `npm run bench --versions funcodec`.

Builds upstream's inference class `funcodec.bin.codec_inference.Speech2Token(config, model.pth)`
from a checkout (alibaba-damo-academy/FunCodec at 3435d87), then per pass runs, on each utterance
alone (speech (1, L) float32), `run_mod="encode"` at --bit-width (codes (n_q, 1, T) int64) and
`run_mod="decode"` of those codes (waveform (1, 1, 640 T)). Passes, --serve and output lines are
upstream_common.py's.

Two things stand between a Debian torch 1.13 on CPU and upstream's class, both outside inference:
- its import chain pulls packages Debian lacks (kaldiio, librosa, torchaudio, typeguard, ...):
  bench/upstream/stubs stands in for them;
- its model builds training-loss mel filterbanks on CUDA (`device='cuda'`, `.cuda()`), which a
  CPU-only torch refuses: while the model is built, those requests are sent to the CPU.

Example:
  /usr/bin/python3 bench/upstream/funcodec_run.py --upstream /path/FunCodec --config config.yaml \
      --ckpt model.pth --threads 2 --bit-width 8000 --repeats 1 a.wav b.npy
"""

import contextlib
import os
import sys

import upstream_common as common


def parse_args(argv):
    p = common.argument_parser(__doc__)
    p.add_argument("--upstream", required=True, help="alibaba-damo-academy/FunCodec checkout (commit 3435d87)")
    p.add_argument("--config", required=True, help="the model's config.yaml")
    p.add_argument("--ckpt", required=True, help="the model's model.pth (state dict)")
    p.add_argument("--bit-width", type=int, default=8000, help="upstream's bit_width (8000: all 32 rows of the ds640 model)")
    return common.check_counts(p, p.parse_args(argv))


@contextlib.contextmanager
def cuda_requests_on_cpu(torch):
    """While upstream builds its model: `.cuda()` keeps a tensor where it is and device='cuda' means
    the CPU, for the factory functions its constructors call (the training losses' buffers)."""
    saved = {name: getattr(torch, name) for name in ("hann_window", "hamming_window", "zeros", "ones", "tensor")}
    saved_cuda = torch.Tensor.cuda

    def on_cpu(factory):
        def call(*args, **kwargs):
            if str(kwargs.get("device", "cpu")).startswith("cuda"):
                kwargs["device"] = "cpu"
            return factory(*args, **kwargs)

        return call

    try:
        for name, factory in saved.items():
            setattr(torch, name, on_cpu(factory))
        torch.Tensor.cuda = lambda self, *_, **__: self
        yield
    finally:
        for name, factory in saved.items():
            setattr(torch, name, factory)
        torch.Tensor.cuda = saved_cuda


def import_upstream(upstream_dir):
    if not os.path.isfile(os.path.join(upstream_dir, "funcodec", "bin", "codec_inference.py")):
        raise ValueError(f"--upstream {upstream_dir}: no funcodec/bin/codec_inference.py there (not an upstream checkout)")
    sys.path.insert(0, upstream_dir)
    common.use_stubs()
    from funcodec.bin.codec_inference import Speech2Token

    return Speech2Token


def main(argv):
    args = parse_args(argv)
    for path in (args.config, args.ckpt):
        if not os.path.isfile(path):
            raise ValueError(f"{path}: no such file")

    def load(torch):
        Speech2Token = import_upstream(args.upstream)
        with cuda_requests_on_cpu(torch):
            s2t = Speech2Token(args.config, args.ckpt, device="cpu")
        bw = args.bit_width
        return common.Stages(
            prepare=lambda samples: torch.from_numpy(samples)[None],  # (1, L) float32
            encode=lambda speech: s2t(speech, bit_width=bw, run_mod="encode")[0][0],  # (n_q, 1, T) int64
            rows=lambda c: c[:, 0, :].tolist(),  # n_q rows of T codes
            # run_mod="decode" takes (1, T, n_q); returns (1, 1, 640 T) float32 at the normalised level.
            decode=lambda c: s2t(c.permute(1, 2, 0), bit_width=bw, run_mod="decode")[2],
            save=lambda c: c.numpy(),
        )

    common.run_main(args, load)


if __name__ == "__main__":
    common.guarded(main)
