"""The Collapse tab's ridge-scaling view (Dohmatob, Feng & Kempe 2024, §5, Fig. 1b): the preset
draws error vs T per generation with both theories, stars the crossover and compares the slopes
with the paper's exponents."""

import numpy as np
import pytest

from tests.gui.gui_helpers import finished


def test_fig1b_preset_draws_curves_crossovers_and_the_papers_exponents(window, qtbot):
    tab = window.lab_tabs.get_or_build("collapse")
    tab.apply_preset("dohmatob-fig1b-tuned-ridge-scaling")
    tab.panel.set_values({"repeats": 20})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=120000)
    qtbot.waitUntil(lambda: "T<sup>−0.5</sup> (tuned)" in tab.p_main.titleLabel.text, timeout=5000)
    assert tab.p_main.ctrl.logXCheck.isChecked() and tab.p_main.ctrl.logYCheck.isChecked()
    f = tab.snapshot.frame
    rows = len(f["n_values"])  # n = 0, 1, 2, 4, 8, 16
    for i in range(rows):
        band = tab.items.get(tab.p_main, ("band", i), None)
        assert band is not None and len(band.line.xData) == 21
        assert len(tab.items.get(tab.p_main, ("theory", i), None).yData) == 21
        assert len(tab.items.get(tab.p_main, ("rate", i), None).yData) == 21
    stars = [tab.items.get(tab.p_main, ("crossover", i), None).xData for i in range(rows)]
    assert stars[0] is None or len(stars[0]) == 0  # clean labels: no crossover
    assert [float(s[0]) for s in stars[1:]] == pytest.approx(list(f["crossover_T"][1:]))
    guides = [tab.items.get(tab.p_side, ("paper", k), None).value() for k in range(2)]
    assert guides == pytest.approx([-0.75, 0.25])  # −c and +ℓ/β, linear axes
    after = tab.items.get(tab.p_side, ("band", rows + 1), None).line.yData
    assert np.nanmax(np.abs(after - 0.25)) < 0.1
