"""CollapseExperiment: the protocol wrapper around the study of the chosen model.

Model collapse under recursive training on synthetic data — regression chains with replace,
accumulate and mix strategies (Dohmatob, Feng & Kempe 2024; Gerstgrasser et al. 2024), Hutter's
tails model (Dohmatob et al., "A Tale of Tails", 2024), strong collapse (Dohmatob et al. 2025),
verification (Feng et al. 2024) and Gaussian refitting (Shumailov et al., Nature 2024); see
``docs/physics/collapse.md`` and the docstrings of :mod:`.studies`.
"""
from __future__ import annotations

from typing import Any, Mapping

from physlab.core.experiment import Experiment, Frame

from .params import SPEC
from .studies import STUDIES


class CollapseExperiment(Experiment):
    spec = SPEC

    def __init__(self, params: Mapping[str, Any], seed: int):
        super().__init__(params, seed)
        self.study = STUDIES[self.params["model"]](self.params, self.seed)

    @property
    def total_steps(self) -> int:
        return self.study.total

    @property
    def steps_done(self) -> int:
        return self.study.done_steps

    def advance(self, n: int) -> None:
        self.study.advance(n)
        if not self.study.finite():
            self.diverged = (f"the simulated errors became non-finite after step "
                             f"{self.steps_done}; the parameters are outside the range where the "
                             f"fits are well defined (try fewer generations or larger T0).")

    def frame(self) -> Frame:
        return self.study.frame()

    def summary(self) -> dict:
        return self.study.summary()

    def apply_update(self, name: str, value: Any) -> None:
        self.study.p = self.params  # generations and real_fraction are read at every step
