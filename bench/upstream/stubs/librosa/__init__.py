"""Stand-in for `librosa` (not packaged by Debian; imported by upstream, unused by inference). See _standin.py at the root of bench/upstream/stubs."""
from _standin import standin_attribute

__getattr__ = standin_attribute(__name__)
