"""Labs as data: what the app shell, the CLI and the tests need to know about one lab.

A lab is one folder ``physlab/<name>/`` whose ``__init__`` defines ``LAB = Lab(...)`` (or
``LABS``, when one phenomenon has several views that run separately); the list of lab modules is
in :mod:`physlab.labs`. The tab is named by a dotted path so that importing a lab (as
the CLI does) never imports Qt.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

from .experiment import Experiment
from .measures import Measure, Overlay
from .params import ParamError, ParamSpec


@dataclass(frozen=True)
class Paper:
    authors: str
    title: str
    year: int
    where: str = ""

    def __str__(self) -> str:
        return f"{self.authors}, “{self.title}”, {self.where + ', ' if self.where else ''}{self.year}"


@dataclass(frozen=True)
class Lab:
    name: str
    title: str
    summary: str
    spec: ParamSpec
    experiment: type[Experiment]
    tab: str  # "module:Class" of the Qt tab
    warmup: Callable[[], None]  # compiles the lab's kernels with the argument types runs use
    papers: tuple[Paper, ...] = field(default=())
    group: str = ""  # labs with the same group share one top-level tab, one sub-tab each
    # sweeps: the scalar read-outs of a run (physlab/<lab>/measures.py), the theory curves drawn on
    # a sweep's map (base params, axes) -> overlays, and a rough cost of one run, params ->
    # (bytes, seconds) on one core, by which a sweep too large for a local cluster is refused
    measures: tuple[Measure, ...] = field(default=())
    sweep_overlays: Callable[[dict, tuple], list[Overlay]] | None = None
    point_cost: Callable[[dict], tuple[float, float]] | None = None

    def build(self, params: dict, seed: int) -> Experiment:
        return self.experiment(params, seed)

    def measure(self, name: str) -> Measure:
        for m in self.measures:
            if m.name == name:
                return m
        known = ", ".join(m.name for m in self.measures) or "none"
        raise ParamError("measure", f"{self.name} has no measure {name!r}; known: {known}")

    def tab_class(self):
        module, _, cls = self.tab.partition(":")
        return getattr(importlib.import_module(module), cls)
