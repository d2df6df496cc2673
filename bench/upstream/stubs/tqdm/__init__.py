"""Stand-in for `tqdm` (not installed for Debian's python3; whisper's and RepCodec's packages import it for progress bars, unused here). See _standin.py."""
from _standin import standin_attribute

__getattr__ = standin_attribute(__name__)
