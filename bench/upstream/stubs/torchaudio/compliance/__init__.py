"""Stand-in for `torchaudio.compliance` (imported by FunCodec's front ends, unused by the codec). See _standin.py."""
from _standin import standin_attribute

from . import kaldi  # noqa: F401  (attribute access upstream)

__getattr__ = standin_attribute(__name__)
