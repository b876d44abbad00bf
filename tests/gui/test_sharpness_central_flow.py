"""The Sharpness tab with the central flow as its reference: its theory lines are drawn and named."""

import numpy as np

from tests.gui.gui_helpers import finished


def test_central_flow_reference_draws_its_theory_lines(window, qtbot):
    tab = window.lab_tabs.get_or_build("sharpness")
    tab.panel.set_values({"steps": 200, "reference": "central_flow"})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=120000)
    qtbot.waitUntil(
        lambda: tab.c_flow_pred.xData is not None and len(tab.c_flow_pred.xData) == 200,
        timeout=5000,
    )
    frame = tab.snapshot.frame
    assert np.array_equal(tab.c_flow_pred.yData, frame["flow_predicted_loss"])
    assert np.array_equal(tab.c_flow_sharp.yData, frame["flow_sharpness"])
    assert tab.p_loss.legend.getLabel(tab.c_flow_pred) is not None
    assert tab.c_overlap.yData.size == frame["grad_overlap"].size
    tab.panel.set_values({"reference": "none"})
    tab.run()
    qtbot.waitUntil(finished(tab), timeout=120000)
    qtbot.waitUntil(lambda: not tab.c_flow_pred.isVisible(), timeout=5000)
    assert tab.p_loss.legend.getLabel(tab.c_flow_pred) is None
