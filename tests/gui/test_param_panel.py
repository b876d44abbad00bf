"""The parameter panel: one control per parameter kind, behind one value interface."""

import pytest

from physlab.catalog import all_labs
from physlab.core.params import Kind, Param
from physlab.gui.param_panel import CONTROLS, ParamPanel

PARAMS = [(lab, p) for lab in all_labs().values() for p in lab.spec]


def test_every_kind_has_a_control():
    assert set(CONTROLS) == set(Kind)


def test_a_kind_given_as_text_is_the_enum():
    p = Param("lr", "float", 0.1, "η")
    assert p.kind is Kind.FLOAT and p.kind == "float" and p.describe()["kind"] == "float"
    with pytest.raises(ValueError, match="unknown kind"):
        Param("lr", "real", 0.1, "η")


@pytest.mark.parametrize("lab,param", PARAMS, ids=[f"{lab.name}.{p.name}" for lab, p in PARAMS])
def test_each_control_shows_and_reads_back_its_value(qtbot, lab, param):
    panel = ParamPanel(lab.spec)
    qtbot.addWidget(panel)
    control = CONTROLS[param.kind]
    w = panel.widget(param.name)
    assert control.get(w, param) == param.default
    emitted = []
    panel.changed.connect(lambda name, value: emitted.append((name, value)))
    panel.set_values({param.name: param.default})
    assert emitted == []  # showing a value is not an edit
