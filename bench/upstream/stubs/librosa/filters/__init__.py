"""Stand-in for `librosa.filters`: FunCodec builds its training-loss mel filterbanks with `mel`.

Those buffers (`mel_spec_transforms.*.mel_basis`) feed only the training losses; the checkpoint's
values replace them on loading. The stand-in returns zeros of librosa's shape so the model builds.
"""
import numpy as np

from _standin import standin_attribute


def mel(*, sr, n_fft, n_mels=128, **_):
    return np.zeros((n_mels, 1 + n_fft // 2), dtype=np.float32)  # [n_mels, n_fft/2 + 1]


__getattr__ = standin_attribute(__name__)
