"""Stand-in for `torchaudio` (not packaged by Debian; FunCodec imports it, its inference does not use it).
See _standin.py at the root of bench/upstream/stubs. Upstream reaches `torchaudio.transforms` as an
attribute, so the subpackages are imported here."""
from _standin import standin_attribute

from . import compliance, transforms  # noqa: F401  (attribute access upstream)

__getattr__ = standin_attribute(__name__)
