"""The Collapse tab: every model runs and draws data with theory; the strategy selector works."""

import numpy as np
import pytest

from physlab.collapse.params import MODELS
from physlab.core.runner import RunState
from physlab.gui.plots import BandCurve
from tests.gui.gui_helpers import finished


def drawn(tab, plot):
    """(data lines, theory lines) with points on ``plot``."""
    bands = [
        item
        for (p, item) in tab.items._items.values()
        if p is plot
        and isinstance(item, BandCurve)
        and item.line.xData is not None
        and len(item.line.xData)
    ]
    theory = [
        key
        for key, (p, item) in tab.items._items.items()
        if p is plot and key[1][0] == "theory" and item.xData is not None and len(item.xData)
    ]
    return bands, theory


@pytest.mark.parametrize("model", MODELS)
def test_each_model_draws_simulation_and_theory(window, qtbot, model):
    tab = window.lab_tabs.get_or_build("collapse")
    small = {
        "repeats": 10,
        "d": 20,
        "T": 60,
        "T0": 60,
        "generations": 5,
        "T_values": [10, 100, 1000],
    }
    tab.panel.set_values({"model": model, **small})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    assert tab.runner.state == RunState.FINISHED
    qtbot.waitUntil(lambda: bool(drawn(tab, tab.p_main)[0]), timeout=5000)
    bands, theory = drawn(tab, tab.p_main)
    assert len(bands) >= 1 and len(theory) >= 1
    assert tab.p_main.titleLabel.text  # every view is titled


def test_strategy_checkboxes_choose_the_rows(window, qtbot):
    tab = window.lab_tabs.get_or_build("collapse")
    tab.panel.set_values({"repeats": 10, "d": 10, "T": 30, "T0": 30, "generations": 3})
    box = tab.panel.widget("strategy").findChild(
        type(tab.panel.widget("strategy")._boxes["mix"]), "choice_mix"
    )
    box.setChecked(False)
    assert tab.panel.values()["strategy"] == ["replace", "accumulate"]
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    assert tab.snapshot.frame["error_mean"].shape[0] == 2
    qtbot.waitUntil(lambda: len(drawn(tab, tab.p_main)[0]) == 2, timeout=5000)
    # the last checked box cannot be unchecked: an empty selection would run nothing
    tab.panel.widget("strategy")._boxes["accumulate"].setChecked(False)
    tab.panel.widget("strategy")._boxes["replace"].setChecked(False)
    assert tab.panel.values()["strategy"] == ["replace"]


def test_switching_models_rebuilds_the_views(window, qtbot):
    tab = window.lab_tabs.get_or_build("collapse")
    for model in ("verify", "regression"):
        tab.panel.set_values(
            {"model": model, "repeats": 5, "d": 10, "T": 30, "T0": 30, "generations": 2}
        )
        tab.run()
        qtbot.waitUntil(finished(tab), timeout=60000)
        qtbot.waitUntil(lambda: tab._view is not None and tab._view[0] == model, timeout=5000)
    assert tab.p_main.ctrl.logXCheck.isChecked() is False
    assert tab.p_side.ctrl.logXCheck.isChecked() is True
    x = tab.items.get(tab.p_main, ("band", 0), None).line.xData
    assert np.array_equal(x, np.arange(3))


def test_overparameterised_preset_draws_the_min_norm_chain_on_its_closed_form(window, qtbot):
    """dohmatob-overparameterised-collapse: min-norm generators, T0/d = 1/2, σ0 = 0; the theory
    line is 1 − 2⁻ⁿ (Dohmatob, Feng & Kempe 2024) and the title says which fits run."""
    tab = window.lab_tabs.get_or_build("collapse")
    tab.apply_preset("dohmatob-overparameterised-collapse")
    tab.panel.set_values({"repeats": 20})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=60000)
    qtbot.waitUntil(lambda: "min-norm generators" in tab.p_main.titleLabel.text, timeout=5000)
    assert "T0/d = 0.5" in tab.p_main.titleLabel.text
    line = tab.items.get(tab.p_main, ("theory", 0), None)
    qtbot.waitUntil(lambda: line.yData is not None and len(line.yData) == 21, timeout=10000)
    assert line.yData == pytest.approx(1 - 0.5 ** np.arange(21))


def test_min_norm_generators_with_mix_are_refused_at_run_with_the_rule(window):
    tab = window.lab_tabs.get_or_build("collapse")
    tab.panel.set_values({"repeats": 5, "d": 20, "T0": 10, "strategy": ["replace", "mix"]})
    tab.run()
    assert not tab.banner.isHidden() and "unselect mix" in tab.banner.text()
    assert tab.runner.state == RunState.IDLE


def test_tails_chain_draws_the_papers_law_only_for_plain_sampling(window, qtbot):
    """The paper's C_β(T^−c + n·T0^−c) (Dohmatob et al., A Tale of Tails, 2024) is drawn dotted, one
    line per generation, with its legend entry; with temperature τ ≠ 1 it is not stated: no line,
    no legend."""
    tab = window.lab_tabs.get_or_build("collapse")
    small = {"model": "tails-chain", "repeats": 2, "T_values": [10, 100, 1000], "tail_T0": 1000}
    for temperature, lines in ((1.0, 3), (0.8, 0)):
        tab.panel.set_values({**small, "tail_generations": 2, "temperature": temperature})
        tab.run()
        qtbot.waitUntil(finished(tab), timeout=60000)
        qtbot.waitUntil(lambda: bool(drawn(tab, tab.p_main)[0]), timeout=5000)
        paper = [
            key
            for key, (p, item) in tab.items._items.items()
            if p is tab.p_main
            and isinstance(key[1], tuple)
            and key[1][0] == "paper"
            and item.xData is not None
            and len(item.xData)
        ]
        legend = [key for key in tab.items._items if key[1] == "paper-legend"]
        assert (len(paper), len(legend)) == (lines, min(lines, 1)), temperature
