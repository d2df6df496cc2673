"""Shared by the stand-in packages here: names that upstream imports but inference never uses.

Each stand-in module ends with `__getattr__ = standin_attribute(__name__)`: any name imported from
it is a placeholder class, so it still works where upstream uses it at import time (as a base
class, in a type annotation, in isinstance), but building or calling it raises, naming the
module, so a stand-in that inference does reach fails loudly instead of doing something else.
A real package, when installed, takes precedence: the runners put this folder last on sys.path.
"""


def standin_attribute(module):
    def attribute(name):
        if name.startswith("__"):
            raise AttributeError(name)

        def refuse(*args, **kwargs):
            raise NotImplementedError(f"{module}.{name} is a benchmark stand-in (bench/upstream/stubs); inference should not reach it")

        return type(name, (), {"__init__": refuse, "__module__": module})

    return attribute
