"""The labs physlab finds: every entry point in the group ``physlab.labs`` names one
:class:`~physlab.core.registry.Lab` (``name = "package.module:LAB"``), so a lab can ship as its own
package; physlab's own labs are registered the same way in its ``pyproject.toml``. The protocol a
lab implements is in ``docs/labs.md``.

Order is deterministic: by each lab's ``order`` (physlab's own labs take 10…40, others default to
100), then by name. A lab that fails to load, or whose name is taken (physlab's own labs load first
and keep theirs), is skipped with a warning naming its package, never a crash.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points

from physlab.core.registry import Lab

GROUP = "physlab.labs"
HOME = "physlab"  # the distribution whose labs come first


def _origin(ep: EntryPoint) -> str:
    return ep.dist.name if ep.dist is not None else "?"


def _load(ep: EntryPoint) -> Lab | None:
    try:
        lab = ep.load()
    except Exception as err:  # a third party's import error must not take the app down
        warnings.warn(
            f"physlab: skipped lab {ep.name!r} from {_origin(ep)} ({ep.value}): "
            f"{type(err).__name__}: {err}",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    if not isinstance(lab, Lab) or lab.name != ep.name:
        warnings.warn(
            f"physlab: skipped lab {ep.name!r} from {_origin(ep)}: {ep.value} is not a "
            f"Lab named {ep.name!r}",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    return lab


def all_labs() -> dict[str, Lab]:
    """``name → Lab`` of every lab that loads, in a deterministic order."""
    found = sorted(
        entry_points(group=GROUP), key=lambda ep: (_origin(ep) != HOME, _origin(ep), ep.name)
    )
    if not any(_origin(ep) == HOME for ep in found):
        warnings.warn(
            "physlab: its own labs are not registered — install it (make, or "
            "pip install -e .) so that its entry points exist",
            RuntimeWarning,
            stacklevel=2,
        )
    labs: dict[str, Lab] = {}
    for ep in found:
        if ep.name in labs:
            warnings.warn(
                f"physlab: skipped lab {ep.name!r} from {_origin(ep)}: a lab of that "
                f"name is already loaded",
                RuntimeWarning,
                stacklevel=2,
            )
            continue
        lab = _load(ep)
        if lab is not None:
            labs[lab.name] = lab
    return dict(sorted(labs.items(), key=lambda item: (item[1].order, item[0])))


def lab_with(name: str, experiment: type, choose: Callable | None) -> Lab:
    """Lab ``name`` as installed, with this experiment class (and chooser): how a lab's worker
    process (:mod:`physlab.core.lab_process`) builds the lab the GUI gave it."""
    return dataclasses.replace(get_lab(name), experiment=experiment, choose=choose)


def get_lab(name: str) -> Lab:
    labs = all_labs()
    if name not in labs:
        raise KeyError(f"unknown lab {name!r}; labs: {', '.join(labs)}")
    return labs[name]
