"""Labs as data: what the app shell, the CLI and the tests need to know about one lab.

A lab is a package whose ``__init__`` defines ``LAB = Lab(...)`` and which registers it under the
entry-point group ``physlab.labs`` (:mod:`physlab.catalog` finds them; the protocol is in
``docs/labs.md``). The tab is named by a dotted path so that importing a lab (as the CLI does)
never imports Qt.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .experiment import Experiment
from .frames import FrameSpec
from .measures import Measure, Overlay
from .params import ParamError, ParamSpec


@dataclass(frozen=True)
class Paper:
    authors: str
    title: str
    year: int
    where: str = ""

    def __str__(self) -> str:
        where = f"{self.where}, " if self.where else ""
        return f"{self.authors}, “{self.title}”, {where}{self.year}"


@dataclass(frozen=True)
class Lab:
    name: str
    title: str
    summary: str
    spec: ParamSpec
    experiment: type[Experiment]
    tab: str  # "module:Class" of the Qt tab
    frame_spec: FrameSpec  # what the experiment's frame() holds (core/frames.py)
    # the smallest real configurations, one per code path that compiles its own kernels (see warmup)
    warmup_params: tuple[Mapping[str, Any], ...] = field(default=())
    papers: tuple[Paper, ...] = field(default=())
    group: str = ""  # labs with the same group share one top-level tab, one sub-tab each
    order: int = 100  # where the lab's tab goes: smaller first, then by name
    # bytes a run with given (valid) parameters holds at its peak; runs above the memory limit
    # are refused with it (tests/hostile/test_hostile_memory.py checks it against measured peaks)
    memory_estimate: Callable[[dict], int] | None = None
    # a lab with several models picks the experiment class from the validated parameters
    choose: Callable[[dict], type[Experiment]] | None = None
    # sweeps: the scalar read-outs of a run (physlab/<lab>/measures.py), the theory curves drawn on
    # a sweep's map (base params, axes) -> overlays, and a rough cost of one run, params ->
    # (bytes, seconds) on one core, by which a sweep too large for a local cluster is refused
    measures: tuple[Measure, ...] = field(default=())
    sweep_overlays: Callable[[dict, tuple], list[Overlay]] | None = None
    point_cost: Callable[[dict], tuple[float, float]] | None = None
    # the title of a swept parameter's axis when the base parameters change what it means
    # (parameter name, base params) -> title, or None for the parameter's own title
    axis_title: Callable[[str, dict], str | None] | None = None

    def build(self, params: Mapping[str, Any], seed: int) -> Experiment:
        if self.choose is None:
            return self.experiment(params, seed)
        return self.choose(self.spec.validate(params))(params, seed)

    def warmup(self) -> None:
        """Compile the lab's kernels with the argument types real runs use, by running each of
        :attr:`warmup_params` (seed 0) to its end: a numba kernel compiles for the types it is
        called with, and a real run is the only faithful source of those."""
        for params in self.warmup_params:
            exp = self.build(params, seed=0)
            while not exp.done:
                before = exp.steps_done
                exp.advance(exp.total_steps)
                if exp.steps_done == before:
                    break

    def sweep_axis_title(self, name: str, base: dict) -> str:
        """What a sweep's axis over parameter ``name`` shows, given the sweep's base params."""
        title = self.axis_title(name, base) if self.axis_title is not None else None
        return title or self.spec[name].title

    def measure(self, name: str) -> Measure:
        for m in self.measures:
            if m.name == name:
                return m
        known = ", ".join(m.name for m in self.measures) or "none"
        raise ParamError("measure", f"{self.name} has no measure {name!r}; known: {known}")

    def tab_class(self):
        module, _, cls = self.tab.partition(":")
        return getattr(importlib.import_module(module), cls)
