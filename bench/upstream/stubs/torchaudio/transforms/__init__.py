"""Stand-in for `torchaudio.transforms`: FunCodec's discriminator (training only) builds a
`Spectrogram` while the model is built. Building one works and holds nothing; running it raises."""
import torch

from _standin import standin_attribute


class Spectrogram(torch.nn.Module):
    def __init__(self, *_, **__):
        super().__init__()

    def forward(self, *_):
        raise NotImplementedError("torchaudio.transforms.Spectrogram is a benchmark stand-in: the discriminator is training only")


__getattr__ = standin_attribute(__name__)
