"""The labs physlab ships. Adding a lab = one folder ``physlab/<name>/`` + one line here."""
from __future__ import annotations

import importlib

from physlab.core.registry import Lab

LAB_MODULES = ("physlab.sharpness", "physlab.kernels", "physlab.diffusion", "physlab.collapse")


def all_labs() -> dict[str, Lab]:
    labs = []
    for name in LAB_MODULES:
        module = importlib.import_module(name)
        labs.extend(getattr(module, "LABS", (module.LAB,)))
    return {lab.name: lab for lab in labs}


def get_lab(name: str) -> Lab:
    labs = all_labs()
    if name not in labs:
        raise KeyError(f"unknown lab {name!r}; labs: {', '.join(labs)}")
    return labs[name]
