"""Stand-in for `fairseq.data.dictionary` (see ../__init__.py and _standin.py)."""
from _standin import standin_attribute

__getattr__ = standin_attribute(__name__)
