"""physlab — a desktop simulation lab for the physics of learning.

As a library (no Qt imported): ``physlab.run(lab, seed=0, preset=None, **params)``,
``physlab.sweep(lab, grid={...})``, ``physlab.load(path)``, ``physlab.labs()``,
``physlab.params(lab)``, ``physlab.from_config(text)``
(see :mod:`physlab.api`). They load on first use, so ``import physlab`` stays light.
"""

from ._version import __version__ as __version__

_API = ("ConfigError", "ParamError", "Run", "from_config", "labs", "load", "params", "run", "sweep")


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'physlab' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_API])
