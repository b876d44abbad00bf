"""What the user types into a control is what runs, or is refused with the allowed range.

Before: a number typed into a box and run with Ctrl+R (the focus stays in the box, so Qt had not
committed it) ran the old value; ``nan`` or ``inf`` typed into a float box became the range's
maximum, ``1e9`` and ``-5`` were clamped to the range, all without a word; a list that did not
parse was marked red but Ctrl+R ran the previous list."""

import pytest
from PySide6 import QtCore
from PySide6.QtTest import QTest

from physlab.core.runner import RunState
from tests.gui.gui_helpers import finished
from tests.gui.test_user_path import SMALL, make_window, press

Key, Mod = QtCore.Qt.Key, QtCore.Qt.KeyboardModifier


def collapse_tab(qtbot, monkeypatch, **params):
    win = make_window(qtbot, monkeypatch, initial_lab="collapse")
    tab = win.lab_tabs.get_or_build("collapse")
    tab.panel.set_values({**SMALL, **params})
    return win, tab


def type_into(win, line_edit, text):
    win.activateWindow()
    QTest.qWaitForWindowActive(win)
    line_edit.setFocus()
    line_edit.selectAll()
    QTest.keyClick(line_edit, Key.Key_Delete)
    QTest.keyClicks(line_edit, text)


@pytest.mark.parametrize(("name", "text", "ran"), [("d", "12", 12), ("sigma", "0.25", 0.25)])
def test_a_value_typed_and_run_with_ctrl_r_is_the_value_that_runs(
    qtbot, monkeypatch, name, text, ran
):
    win, tab = collapse_tab(qtbot, monkeypatch)
    type_into(win, tab.panel.widget(name).lineEdit(), text)  # no Return, no click elsewhere
    press(win, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(finished(tab), timeout=60000)
    assert tab.runner.state == RunState.FINISHED
    assert tab.record().meta["params"][name] == ran


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e9", "-5", "abc", ""])
def test_a_float_outside_its_range_is_refused_at_the_box_with_the_range(qtbot, monkeypatch, text):
    win, tab = collapse_tab(qtbot, monkeypatch, sigma=0.5)
    box = tab.panel.widget("sigma")
    type_into(win, box.lineEdit(), text)
    QTest.keyClick(box.lineEdit(), Key.Key_Return)
    assert box.value() == 0.5 and tab.panel.values()["sigma"] == 0.5  # not clamped, not NaN
    assert tab.banner.isVisible() and tab.banner.is_error
    assert "parameter 'sigma'" in tab.banner.text() and "in [0, 100]" in tab.banner.text()
    press(win, Key.Key_R, Mod.ControlModifier)  # the box shows 0.5 again: that runs
    qtbot.waitUntil(finished(tab), timeout=60000)
    assert tab.record().meta["params"]["sigma"] == 0.5
    type_into(win, box.lineEdit(), "2")
    QTest.keyClick(box.lineEdit(), Key.Key_Return)
    assert tab.panel.values()["sigma"] == 2.0 and box.styleSheet() == ""  # unmarked


def test_a_list_that_does_not_parse_is_refused_and_not_run(qtbot, monkeypatch):
    win, tab = collapse_tab(qtbot, monkeypatch, model="tails")
    edit = tab.panel.widget("T_values")
    type_into(win, edit, "10, 20, abc")
    press(win, Key.Key_R, Mod.ControlModifier)  # straight from the field, as with a box
    assert tab.runner.state == RunState.IDLE and tab.snapshot is None
    assert tab.banner.is_error and "parameter 'T_values'" in tab.banner.text()
    assert "not run" in tab.banner.text()
    type_into(win, edit, "10, 20, 40")
    press(win, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(finished(tab), timeout=60000)
    assert tab.record().meta["params"]["T_values"] == [10, 20, 40]


def test_the_sweep_view_refuses_typed_text_as_the_single_run_does(qtbot, monkeypatch):
    from physlab.gui import sweep_view
    from tests.gui.test_sweep_view import FakeSweepRun

    FakeSweepRun.made.clear()
    monkeypatch.setattr(sweep_view, "SweepRun", FakeSweepRun)
    win, tab = collapse_tab(qtbot, monkeypatch)
    view = tab.sweep_mode.show_sweep()
    view.panel.set_values({**view.lab.spec.defaults(), "repeats": 10, "generations": 3})
    view.axis1.set_name("sigma0")
    view.axis1.set_range(0.5, 1.0, 2, False)
    box = view.panel.widget("sigma")
    type_into(win, box.lineEdit(), "nan")
    press(win, Key.Key_R, Mod.ControlModifier)  # the window's Run goes to the Sweep view
    assert not FakeSweepRun.made
    assert view.banner.is_error and "parameter 'sigma'" in view.banner.text()
    type_into(win, box.lineEdit(), "0.25")
    press(win, Key.Key_R, Mod.ControlModifier)
    assert len(FakeSweepRun.made) == 1 and FakeSweepRun.made[0].spec.base["sigma"] == 0.25
