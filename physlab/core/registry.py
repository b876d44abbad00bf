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
from .frames import FrameSchema, FrameSchemas
from .params import ParamSpec


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
    # the arrays a run holds: ``frame_spec.check(frame, params)`` lists what breaks it
    frame_spec: FrameSchema | FrameSchemas | None = None
    # bytes a run with given (valid) parameters holds at its peak; runs above the memory limit
    # are refused with it (tests/hostile/test_memory.py checks it against measured peaks)
    memory_estimate: Callable[[dict], int] | None = None

    def build(self, params: dict, seed: int) -> Experiment:
        return self.experiment(params, seed)

    def tab_class(self):
        module, _, cls = self.tab.partition(":")
        return getattr(importlib.import_module(module), cls)
