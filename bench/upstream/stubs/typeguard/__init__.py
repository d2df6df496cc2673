"""Stand-in for `typeguard` (not packaged by Debian): FunCodec asserts its checks while building; they pass here."""
from _standin import standin_attribute


def check_argument_types(*_, **__):
    return True


def check_return_type(*_, **__):
    return True


__getattr__ = standin_attribute(__name__)
