"""Stand-in for `einops`, which Debian does not package.

Upstream SpeechTokenizer's inference path calls einops only for a handful of fixed axis moves
(transposes, flattening, one added axis). This module implements exactly those patterns with
plain torch calls and refuses any other pattern, so a new upstream use fails loudly instead of
silently doing something else. A real einops, when installed, takes precedence: the runner puts
this folder at the end of sys.path.
"""

import torch


def _transpose_last_two(x):
    # (b, d, t) <-> (b, t, d)
    if x.dim() != 3:
        raise ValueError(f"einops stand-in: expected a 3-d tensor, got shape {tuple(x.shape)}")
    return x.transpose(1, 2)


_REARRANGE = {
    "b d t -> b t d": _transpose_last_two,
    "b d n -> b n d": _transpose_last_two,
    "b n d -> b d n": _transpose_last_two,
    # (b, ..., t) -> (b, t, ...) and back: move the last axis to position 1.
    "b ... t -> b t ...": lambda x: x.movedim(-1, 1),
    "b t ... -> b ... t": lambda x: x.movedim(1, -1),
    # (..., d) -> (N, d)
    "... d -> (...) d": lambda x: x.reshape(-1, x.shape[-1]),
    # (n, d) -> (n, 1, d) and (c, d) -> (1, c, d): k-means distances (training only).
    "n d -> n () d": lambda x: x.unsqueeze(1),
    "c d -> () c d": lambda x: x.unsqueeze(0),
}


def _normalise(pattern):
    return " ".join(pattern.split())


def rearrange(tensor, pattern, **sizes):
    key = _normalise(pattern)
    if key not in _REARRANGE or sizes:
        raise NotImplementedError(f"einops stand-in: rearrange pattern {pattern!r} is not supported")
    return _REARRANGE[key](tensor)


def repeat(tensor, pattern, **sizes):
    # (n,) -> (n, d): k-means bucket indices (training only).
    if _normalise(pattern) == "n -> n d" and set(sizes) == {"d"} and tensor.dim() == 1:
        return tensor.unsqueeze(1).expand(-1, sizes["d"])
    raise NotImplementedError(f"einops stand-in: repeat pattern {pattern!r} is not supported")


__all__ = ["rearrange", "repeat"]
