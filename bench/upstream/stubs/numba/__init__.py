"""Stand-in for `numba` (not packaged by Debian): whisper's timing.py decorates its DTW helpers
with `numba.jit` at import time; word timestamps are not on the feature path, so the decorator
leaves the functions as plain Python. Anything else from numba raises (see _standin.py)."""
from _standin import standin_attribute


def jit(*args, **kwargs):
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]  # used bare: @numba.jit
    return lambda function: function  # used with options: @numba.jit(nopython=True)


__getattr__ = standin_attribute(__name__)
