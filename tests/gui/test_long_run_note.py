"""The banner's long-run note ("This run will take about … more") projects from the run's speed
as the CLI does (core/eta.py): a first step that pays for a cold compile does not count once a
second chunk is known, and the note goes when the run it spoke of ends. Before, a 200-step
Diffusion run whose first step compiled said "about 6.5 min more", finished in 13 s, and kept
saying it."""

from PySide6 import QtCore

from physlab.core.eta import LONG_RUN_SECONDS
from physlab.core.runner import RunState
from tests.core import worker_fakes as fakes
from tests.gui.gui_helpers import finished
from tests.gui.test_user_path import SMALL, press
from tests.gui.test_worker_process import WAIT_MS, misbehaving_window

Key, Mod = QtCore.Qt.Key, QtCore.Qt.KeyboardModifier
NOTE = "This run will take about"


def test_a_slow_first_step_alone_does_not_say_the_run_is_long(qtbot, monkeypatch):
    win, tab = misbehaving_window(qtbot, monkeypatch)
    steps = 100  # projected from the first step alone: 99 × 3 s, well over LONG_RUN_SECONDS
    assert (steps - 1) * fakes.FIRST_STEP_SECONDS > LONG_RUN_SECONDS
    tab.panel.set_values({**SMALL, "generations": steps})
    tab.seed.setValue(fakes.SLOW_FIRST_STEP)
    shown = []
    press(win, Key.Key_R, Mod.ControlModifier)

    def watch():
        shown.append(tab.banner.isVisible() and NOTE in tab.banner.text())
        return finished(tab)()

    qtbot.waitUntil(watch, timeout=WAIT_MS)
    assert tab.runner.state == RunState.FINISHED
    assert not any(shown), "the note projected the run from its compile-paying first step"


def test_the_long_run_note_goes_when_the_run_is_stopped(qtbot, monkeypatch):
    win, tab = misbehaving_window(qtbot, monkeypatch)
    tab.panel.set_values({**SMALL, "repeats": 100, "d": 100, "T": 200, "T0": 200})
    tab.panel.set_values({"generations": 100_000})  # hours at this size
    press(win, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(lambda: tab.banner.isVisible() and NOTE in tab.banner.text(), timeout=WAIT_MS)
    press(win, Key.Key_Escape)
    qtbot.waitUntil(finished(tab), timeout=WAIT_MS)
    assert tab.runner.state == RunState.STOPPED
    assert not tab.banner.isVisible(), tab.banner.text()


def test_the_status_bar_says_the_first_step_compiles_while_it_does(qtbot, monkeypatch):
    """Before, a cold Sharpness run showed "step 0/3,000" and a still progress bar for minutes
    (its first step compiled the kernels on a loaded machine), as if it hung."""
    win, tab = misbehaving_window(qtbot, monkeypatch)
    tab.panel.set_values({**SMALL, "generations": 20})
    tab.seed.setValue(fakes.SLOW_FIRST_STEP)
    press(win, Key.Key_R, Mod.ControlModifier)
    qtbot.waitUntil(lambda: tab.runner.state == RunState.RUNNING, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "step 0/" in win.status_label.text(), timeout=5000)
    assert "compiling" in win.status_label.text()
    assert win.progress.maximum() == 0  # the moving (busy) bar
    qtbot.waitUntil(finished(tab), timeout=WAIT_MS)
    assert "finished" in win.status_label.text() and win.progress.maximum() > 0
