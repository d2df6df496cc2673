"""Stand-in for `humanfriendly` (not packaged by Debian; FunCodec's trainer options use it, inference does not). See _standin.py."""
from _standin import standin_attribute

__getattr__ = standin_attribute(__name__)
