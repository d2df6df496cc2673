"""Stand-in for `fairseq` (it cannot be imported with Debian's Python 3.11). A fairseq checkpoint's
pickle names fairseq.data.dictionary.Dictionary (task_state's label dictionaries): unpickling makes
it without calling it, so its data is read as inert attributes and never used by the HuBERT encoder
that repcodec_hubert_run.py builds with torchaudio. See _standin.py."""
from _standin import standin_attribute

__getattr__ = standin_attribute(__name__)
